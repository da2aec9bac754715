package dev.strata.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.Freshness;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobLedger;
import dev.strata.dsl.registry.JobProgress;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeRanges;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "status",
    header = "Show each feature group's offline coverage, online freshness and what to run next.",
    mixinStandardHelpOptions = true,
    description = {
      "One line per feature group of the project: its version, the offline days done (and gaps) for that version,",
      "the instant the online store is materialized to, its freshness against the group's expectation (its",
      "'freshness:' setting, or by default its smallest window clamped to [1h, 1d]), and what to run next.",
      "Read from the job ledger in the catalog database; nothing is changed.",
      "Exit 0 when everything is fresh, 3 when something is stale or never ran, 1 on error."
    })
final class StatusCommand implements Callable<Integer> {
  static final int STALE = 3;

  @Spec CommandSpec spec;

  @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
  Path dir;

  @Option(names = "--json", description = "Print the status as JSON.")
  boolean json;

  @Option(names = "--now", paramLabel = "INSTANT", description = "Judge freshness as of this instant (default: now), e.g. 2001-03-01T06:00:00Z.")
  String now;

  /** What is known about one group. */
  record GroupStatus(CompiledGroup group, TimeRanges offline, Optional<JobRun> lastBackfill, OptionalLong onlineTo,
                     Optional<StreamState> stream, long freshnessMicros, List<String> problems, List<String> next) {
    boolean fresh() {
      return problems.isEmpty();
    }
  }

  @Override
  public Integer call() {
    long nowMicros;
    try {
      nowMicros = now == null ? Durations.toMicros(Instant.now()) : Durations.parseInstant(now);
    } catch (IllegalArgumentException e) {
      throw new UserException("Cannot read --now '" + now + "': expected an instant such as 2001-03-01T06:00:00Z");
    }
    CompiledPlan plan = Projects.compile(dir);
    StrataConfig config = StrataConfig.load(dir);
    List<GroupStatus> groups = new ArrayList<>();
    if (Projects.registryExists(config)) {
      try (Registry registry = Projects.openRegistry(config)) {
        for (CompiledGroup g : plan.groups()) {
          groups.add(status(plan.project(), g, registry.jobs(), nowMicros));
        }
      }
    } else {
      for (CompiledGroup g : plan.groups()) {
        groups.add(status(plan.project(), g, null, nowMicros));
      }
    }
    List<JobRun> monitors = new ArrayList<>();
    if (Projects.registryExists(config)) {
      try (Registry registry = Projects.openRegistry(config)) {
        for (JobRun run : registry.jobs().latestRuns(plan.project())) {
          if (run.job() == JobKind.MONITOR && plan.monitor(run.target()).isPresent()
              && monitors.stream().noneMatch(m -> m.target().equals(run.target()))) {
            monitors.add(run);
          }
        }
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectNode root = toJson(plan, groups, nowMicros);
      ArrayNode list = root.putArray("monitors");
      for (JobRun m : monitors) {
        list.addObject().put("name", m.target()).put("succeeded", m.succeeded()).put("ended_at", m.endedAt().toString())
            .put("status", drifted(m) ? "drift" : m.succeeded() ? String.valueOf(m.detail()).split(" ")[0] : "failed")
            .put("detail", m.detail());
      }
      root.put("fresh", groups.stream().allMatch(GroupStatus::fresh) && monitors.stream().noneMatch(StatusCommand::drifted));
      out.println(root.toPrettyString());
    } else {
      print(out, plan, groups, nowMicros);
      for (JobRun m : monitors) {
        out.println("monitor " + m.target() + ": " + (m.succeeded() ? m.detail() : "FAILED: " + m.detail())
            + " (ended " + m.endedAt() + ")");
      }
    }
    out.flush();
    boolean ok = groups.stream().allMatch(GroupStatus::fresh) && monitors.stream().noneMatch(StatusCommand::drifted);
    return ok ? 0 : STALE;
  }

  /**
   * The stream's progress for a group version, from the newest Flink job that recorded any: the
   * latest event time written (over its subtasks), the watermark (the least of its subtasks': the
   * job's), and when a checkpoint last recorded it.
   */
  record StreamState(long latestEventMicros, OptionalLong watermarkMicros, Instant recordedAt, String job) {}

  static Optional<StreamState> streamState(List<JobRun> streamRuns) {
    String newestJob = null;
    Instant newest = null;
    for (JobRun r : streamRuns) {
      String job = field(r, "job");
      if (r.succeeded() && (newest == null || r.endedAt().isAfter(newest))) {
        newest = r.endedAt();
        newestJob = job;
      }
    }
    if (newest == null) {
      return Optional.empty();
    }
    long latest = Long.MIN_VALUE;
    long watermark = Long.MAX_VALUE;
    boolean anyWatermark = false;
    Instant recorded = newest;
    for (JobRun r : streamRuns) {
      if (r.succeeded() && java.util.Objects.equals(field(r, "job"), newestJob)) {
        latest = Math.max(latest, r.coveredTo() - 1);
        String wm = field(r, "watermark");
        if (wm != null) {
          watermark = Math.min(watermark, Durations.parseInstant(wm));
          anyWatermark = true;
        }
      }
    }
    return Optional.of(new StreamState(latest, anyWatermark ? OptionalLong.of(watermark) : OptionalLong.empty(), recorded,
        newestJob));
  }

  /** A text field of a stream run's JSON detail, or null. */
  private static String field(JobRun run, String name) {
    if (run.detail() == null) {
      return null;
    }
    try {
      com.fasterxml.jackson.databind.JsonNode n = new com.fasterxml.jackson.databind.ObjectMapper().readTree(run.detail()).get(name);
      return n == null || n.isNull() ? null : n.asText();
    } catch (java.io.IOException | RuntimeException e) {
      return null; // not a stream progress detail
    }
  }

  /** A monitor's last run found drift (its detail starts with the overall status). */
  private static boolean drifted(JobRun monitorRun) {
    return monitorRun.succeeded() && monitorRun.detail() != null && monitorRun.detail().startsWith("drift");
  }

  private static GroupStatus status(String project, CompiledGroup g, JobLedger jobs, long nowMicros) {
    TimeRanges offline = TimeRanges.empty();
    Optional<JobRun> lastBackfill = Optional.empty();
    OptionalLong onlineTo = OptionalLong.empty();
    Optional<StreamState> stream = Optional.empty();
    if (jobs != null) {
      stream = streamState(jobs.runs(project, JobKind.STREAM, g.name(), g.version()));
      List<JobRun> backfills = jobs.runs(project, JobKind.BACKFILL, g.name(), g.version());
      offline = jobs.covered(project, JobKind.BACKFILL, g.name(), g.version());
      lastBackfill = backfills.stream().findFirst();
      onlineTo = JobProgress.onlineTo(jobs, project, g); // shared with the feature server's staleness gauge
    }
    long freshness = Freshness.expectedMicros(g);
    List<String> problems = new ArrayList<>();
    List<String> next = new ArrayList<>();
    if (g.offline()) {
      if (offline.isEmpty()) {
        problems.add("never backfilled at version " + g.version());
        next.add("strata backfill " + g.name() + " --through yesterday");
      } else if (Freshness.offlineStale(g, offline.end(offline.rangeCount() - 1), nowMicros)) {
        problems.add("offline data ends " + day(offline.end(offline.rangeCount() - 1)));
        next.add("strata backfill " + g.name() + " --through yesterday");
      }
      if (offline.rangeCount() > 1) {
        problems.add("gaps " + days(gaps(offline)));
        next.add("strata backfill " + g.name() + " --from " + day(offline.start(0)) + " --through yesterday");
      }
      if (lastBackfill.isPresent() && !lastBackfill.get().succeeded()) {
        problems.add("the last backfill failed: " + lastBackfill.get().detail());
      }
    }
    if (g.online()) {
      if (onlineTo.isEmpty()) {
        problems.add("online store never materialized at version " + g.version());
        next.add("strata materialize " + g.name());
      } else if (Freshness.onlineStale(g, onlineTo.getAsLong(), nowMicros)) {
        problems.add("online store materialized to " + Durations.formatInstant(onlineTo.getAsLong()));
        next.add("strata materialize " + g.name() + " (or run its stream)");
      }
    }
    return new GroupStatus(g, offline, lastBackfill, onlineTo, stream, freshness, List.copyOf(problems),
        List.copyOf(next.stream().distinct().toList()));
  }

  private static TimeRanges gaps(TimeRanges covered) {
    return TimeRanges.of(covered.start(0), covered.end(covered.rangeCount() - 1)).minus(covered);
  }

  private void print(PrintWriter out, CompiledPlan plan, List<GroupStatus> groups, long nowMicros) {
    out.println("Project '" + plan.project() + "' as of " + Durations.formatInstant(nowMicros) + ":");
    int width = groups.stream().mapToInt(s -> s.group().name().length()).max().orElse(5);
    String format = "%-" + Math.max(width, 5) + "s  %-12s  %-34s  %-22s  %s%n";
    out.printf(Locale.ROOT, format, "GROUP", "VERSION", "OFFLINE DAYS DONE", "ONLINE TO", "STATUS");
    for (GroupStatus s : groups) {
      CompiledGroup g = s.group();
      String offline = !g.offline() ? "-" : s.offline().isEmpty() ? "none" : days(s.offline());
      String online = !g.online() ? "-" : s.onlineTo().isPresent() ? Durations.formatInstant(s.onlineTo().getAsLong()) : "never";
      String status = s.fresh() ? "fresh (expects " + Durations.format(s.freshnessMicros())
          + (Freshness.declared(g) ? ", declared" : "") + ")"
          : "STALE: " + String.join("; ", s.problems());
      out.printf(Locale.ROOT, format, g.name(), g.version(), offline, online, status);
      s.stream().ifPresent(st -> out.println("  stream: latest event " + Durations.formatInstant(st.latestEventMicros())
          + " (lag " + Durations.format(Math.max(Durations.SECOND, roundToSeconds(nowMicros - st.latestEventMicros()))) + ")"
          + (st.watermarkMicros().isPresent() ? ", watermark " + Durations.formatInstant(st.watermarkMicros().getAsLong()) : "")
          + ", recorded at checkpoint " + st.recordedAt()));
    }
    List<String> next = groups.stream().flatMap(s -> s.next().stream()).toList();
    if (!next.isEmpty()) {
      out.println("Next:");
      next.forEach(n -> out.println("  " + n + " -C " + dir));
    }
  }

  private static ObjectNode toJson(CompiledPlan plan, List<GroupStatus> groups, long nowMicros) {
    ObjectNode root = JsonNodeFactory.instance.objectNode();
    root.put("project", plan.project());
    root.put("now", Durations.formatInstant(nowMicros));
    root.put("fresh", groups.stream().allMatch(GroupStatus::fresh));
    ArrayNode list = root.putArray("groups");
    for (GroupStatus s : groups) {
      CompiledGroup g = s.group();
      ObjectNode n = list.addObject();
      n.put("name", g.name()).put("version", g.version()).put("offline", g.offline()).put("online", g.online());
      n.put("freshness_seconds", s.freshnessMicros() / Durations.SECOND);
      n.put("freshness_source", Freshness.declared(g) ? "declared" : "default");
      ObjectNode off = n.putObject("offline_coverage");
      ArrayNode ranges = off.putArray("days");
      for (int i = 0; i < s.offline().rangeCount(); i++) {
        ranges.addObject().put("from", day(s.offline().start(i))).put("to", day(s.offline().end(i) - 1));
      }
      ArrayNode gapList = off.putArray("gaps");
      if (s.offline().rangeCount() > 1) {
        TimeRanges gaps = gaps(s.offline());
        for (int i = 0; i < gaps.rangeCount(); i++) {
          gapList.addObject().put("from", day(gaps.start(i))).put("to", day(gaps.end(i) - 1));
        }
      }
      off.put("days_done", s.offline().totalMicros() / Durations.DAY);
      if (s.lastBackfill().isPresent()) {
        JobRun r = s.lastBackfill().get();
        off.putObject("last_run").put("succeeded", r.succeeded()).put("ended_at", r.endedAt().toString())
            .put("rows", r.rows()).set("snapshot_ids", idList(r.snapshotIds()));
      }
      if (s.onlineTo().isPresent()) {
        n.put("online_materialized_to", Durations.formatInstant(s.onlineTo().getAsLong()));
        n.put("online_lag_seconds", (nowMicros - s.onlineTo().getAsLong()) / Durations.SECOND);
      } else {
        n.putNull("online_materialized_to");
      }
      if (s.stream().isPresent()) {
        StreamState st = s.stream().get();
        ObjectNode sn = n.putObject("stream");
        sn.put("latest_event", Durations.formatInstant(st.latestEventMicros()));
        sn.put("lag_seconds", (nowMicros - st.latestEventMicros()) / Durations.SECOND);
        if (st.watermarkMicros().isPresent()) {
          sn.put("watermark", Durations.formatInstant(st.watermarkMicros().getAsLong()));
        } else {
          sn.putNull("watermark");
        }
        sn.put("recorded_at", st.recordedAt().toString());
        sn.put("job", st.job());
      } else {
        n.putNull("stream");
      }
      n.put("status", s.fresh() ? "fresh" : "stale");
      ArrayNode problems = n.putArray("problems");
      s.problems().forEach(problems::add);
      ArrayNode next = n.putArray("next");
      s.next().forEach(next::add);
    }
    return root;
  }

  private static ArrayNode idList(List<Long> ids) {
    ArrayNode a = JsonNodeFactory.instance.arrayNode();
    ids.forEach(a::add);
    return a;
  }

  private static long roundToSeconds(long micros) {
    return micros / Durations.SECOND * Durations.SECOND;
  }

  private static String day(long micros) {
    return LocalDate.ofEpochDay(Math.floorDiv(micros, Durations.DAY)).toString();
  }

  private static String days(TimeRanges ranges) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < ranges.rangeCount(); i++) {
      sb.append(i == 0 ? "" : ", ").append(day(ranges.start(i))).append(" .. ").append(day(ranges.end(i) - 1));
    }
    return sb.toString();
  }
}
