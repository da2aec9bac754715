package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.copyExample;
import static dev.strata.cli.StrataCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.cli.StrataCliTest.Run;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.Registry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17 item 3: strata status reads the job ledger; exit 0 fresh, 3 stale, 1 error. */
class StatusCommandTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long DAY = 86_400_000_000L;

  @Test
  void statusFollowsTheLedgerAndTheClock(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    Run nothing = run("status", "-C", dir.toString(), "--json");
    assertThat(nothing.code()).as(nothing.err()).isEqualTo(3);
    JsonNode before = JSON.readTree(nothing.out());
    assertThat(before.get("fresh").asBoolean()).isFalse();
    assertThat(before.get("groups")).isNotEmpty().allSatisfy(g -> {
      assertThat(g.get("status").asText()).isEqualTo("stale");
      assertThat(g.get("offline_coverage").get("days_done").asLong()).isZero();
      assertThat(g.get("next").toString()).contains("strata backfill " + g.get("name").asText() + " --through yesterday");
    });

    CompiledPlan plan = ProjectSnapshot.read(dir).plan();
    long jan1 = LocalDate.parse("2001-01-01").toEpochDay() * DAY;
    long mar1 = LocalDate.parse("2001-03-01").toEpochDay() * DAY;
    try (Registry registry = registry(dir)) {
      for (CompiledGroup g : plan.groups()) {
        if (g.offline()) {
          registry.jobs().recordRun(JobRun.builder("flights", JobKind.BACKFILL, g.name(), g.version())
              .covered(jan1, mar1).rows(100).build());
          registry.jobs().recordRun(JobRun.builder("flights", JobKind.BACKFILL, g.name(), "an-old-version")
              .covered(jan1, mar1 + 30 * DAY).build());
        }
        if (g.online()) {
          registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, g.name(), g.version())
              .covered(mar1, mar1).build());
        }
      }
    }

    Run fresh = run("status", "-C", dir.toString(), "--json", "--now", "2001-03-01T00:30:00Z");
    assertThat(fresh.code()).as(fresh.out()).isZero();
    JsonNode after = JSON.readTree(fresh.out());
    assertThat(after.get("fresh").asBoolean()).isTrue();
    for (JsonNode g : after.get("groups")) {
      CompiledGroup group = plan.group(g.get("name").asText()).orElseThrow();
      assertThat(g.get("version").asText()).isEqualTo(group.version());
      if (group.offline()) {
        assertThat(g.get("offline_coverage").get("days_done").asLong()).as("Jan + Feb of this version only").isEqualTo(59);
        assertThat(g.get("offline_coverage").get("days").get(0).get("to").asText()).isEqualTo("2001-02-28");
      }
      if (group.online()) {
        assertThat(g.get("online_materialized_to").asText()).isEqualTo("2001-03-01T00:00:00Z");
        assertThat(g.get("online_lag_seconds").asLong()).isEqualTo(1800);
      }
    }
    try (Registry registry = registry(dir)) {
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MONITOR, "delay_model_health", "plan-hash")
          .covered(mar1, mar1).detail("drift 2001-02-01..2001-02-28").build());
    }
    Run drifted = run("status", "-C", dir.toString(), "--json", "--now", "2001-03-01T00:30:00Z");
    assertThat(drifted.code()).as("a monitor that found drift makes status 3").isEqualTo(3);
    JsonNode monitors = JSON.readTree(drifted.out()).get("monitors");
    assertThat(monitors).hasSize(1);
    assertThat(monitors.get(0).get("name").asText()).isEqualTo("delay_model_health");
    assertThat(monitors.get(0).get("status").asText()).isEqualTo("drift");
    try (Registry registry = registry(dir)) {
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MONITOR, "delay_model_health", "plan-hash")
          .covered(mar1, mar1).detail("ok 2001-02-01..2001-02-28").times(Instant.now(), Instant.now().plusSeconds(5)).build());
    }
    assertThat(run("status", "-C", dir.toString(), "--now", "2001-03-01T00:30:00Z").code()).as("the newest monitor run counts").isZero();

    Run text = run("status", "-C", dir.toString(), "--now", "2001-03-01T00:30:00Z");
    assertThat(text.out()).contains("origin_delays").contains("2001-01-01 .. 2001-02-28").contains("fresh");

    Run late = run("status", "-C", dir.toString(), "--json", "--now", "2001-03-05T00:00:00Z");
    assertThat(late.code()).as("four days later everything is stale").isEqualTo(3);
    JsonNode stale = JSON.readTree(late.out());
    assertThat(stale.get("groups")).allSatisfy(g -> assertThat(g.get("status").asText()).isEqualTo("stale"));

    CompiledGroup origin = plan.group("origin_delays").orElseThrow();
    try (Registry registry = registry(dir)) {
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.BACKFILL, origin.name(), origin.version())
          .covered(mar1 + 9 * DAY, mar1 + 12 * DAY).build());
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.BACKFILL, origin.name(), origin.version())
          .covered(mar1 + 12 * DAY, mar1 + 13 * DAY).failed().detail("Cannot read source 'flights': gone")
          .times(Instant.now(), Instant.now().plusSeconds(60)).build()); // ended last
    }
    JsonNode gaps = JSON.readTree(run("status", "-C", dir.toString(), "--json", "--now", "2001-03-12T01:00:00Z").out());
    JsonNode o = null;
    for (JsonNode g : gaps.get("groups")) {
      if (g.get("name").asText().equals("origin_delays")) {
        o = g;
      }
    }
    assertThat(o).isNotNull();
    assertThat(o.get("offline_coverage").get("gaps").toString()).isEqualTo("[{\"from\":\"2001-03-01\",\"to\":\"2001-03-09\"}]");
    assertThat(o.get("problems").toString()).contains("gaps 2001-03-01 .. 2001-03-09").contains("the last backfill failed: Cannot read source");
    assertThat(o.get("offline_coverage").get("last_run").get("succeeded").asBoolean()).isFalse();
  }

  @Test
  void aDeclaredFreshnessReplacesTheDefault(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    Path features = dir.resolve("features.yaml");
    String yaml = Files.readString(features);
    // origin_delays (smallest window 1h: default 1h) declares 6h; destination_delays (1d: default 1d) declares 3h
    String declared = yaml
        .replaceFirst("(origin_delays:\n(?:.*\n)*?    ttl: 30d\n)", "$1    freshness: 6h\n")
        .replaceFirst("(destination_delays:\n(?:.*\n)*?    ttl: 30d\n)", "$1    freshness: 3h\n");
    assertThat(declared.split("freshness: ", -1)).hasSize(3);
    Files.writeString(features, declared);

    CompiledPlan plan = ProjectSnapshot.read(dir).plan();
    long jan1 = LocalDate.parse("2001-01-01").toEpochDay() * DAY;
    long mar1 = LocalDate.parse("2001-03-01").toEpochDay() * DAY;
    try (Registry registry = registry(dir)) {
      for (CompiledGroup g : plan.groups()) {
        registry.jobs().recordRun(JobRun.builder("flights", JobKind.BACKFILL, g.name(), g.version())
            .covered(jan1, mar1).build());
        registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, g.name(), g.version())
            .covered(mar1, mar1).build());
      }
    }

    Run early = run("status", "-C", dir.toString(), "--json", "--now", "2001-03-01T02:59:00Z");
    assertThat(early.code()).as("origin_delays lags 2h59m: stale by its default (1h), fresh by its declared 6h")
        .isZero();
    JsonNode groups = JSON.readTree(early.out()).get("groups");
    assertThat(group(groups, "origin_delays").get("freshness_seconds").asLong()).isEqualTo(6 * 3600);
    assertThat(group(groups, "origin_delays").get("freshness_source").asText()).isEqualTo("declared");
    assertThat(group(groups, "destination_delays").get("freshness_seconds").asLong()).isEqualTo(3 * 3600);
    assertThat(group(groups, "route_delays").get("freshness_seconds").asLong()).as("default: 7d clamps to 1d")
        .isEqualTo(24 * 3600);
    assertThat(group(groups, "route_delays").get("freshness_source").asText()).isEqualTo("default");
    assertThat(run("status", "-C", dir.toString(), "--now", "2001-03-01T02:59:00Z").out())
        .contains("fresh (expects 6h, declared)").contains("fresh (expects 1d)");

    Run past = run("status", "-C", dir.toString(), "--json", "--now", "2001-03-01T03:01:00Z");
    assertThat(past.code()).as("destination_delays lags 3h01m: fresh by its default (1d), stale by its declared 3h")
        .isEqualTo(3);
    JsonNode pastGroups = JSON.readTree(past.out()).get("groups");
    assertThat(group(pastGroups, "destination_delays").get("status").asText()).isEqualTo("stale");
    assertThat(group(pastGroups, "destination_delays").get("problems").toString())
        .contains("online store materialized to 2001-03-01T00:00:00Z");
    assertThat(group(pastGroups, "origin_delays").get("status").asText()).isEqualTo("fresh");
    assertThat(group(pastGroups, "route_delays").get("status").asText()).isEqualTo("fresh");

    Run later = run("status", "-C", dir.toString(), "--json", "--now", "2001-03-01T06:01:00Z");
    assertThat(later.code()).isEqualTo(3);
    assertThat(group(JSON.readTree(later.out()).get("groups"), "origin_delays").get("status").asText()).isEqualTo("stale");
  }

  /** Issue 17 item 1: the stream's checkpoints in the ledger give status its latest event, lag and watermark. */
  @Test
  void streamProgressShowsLatestEventLagAndWatermark(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    CompiledPlan plan = ProjectSnapshot.read(dir).plan();
    CompiledGroup origin = plan.group("origin_delays").orElseThrow();
    Instant t0 = Instant.parse("2001-03-01T00:00:00Z");
    try (Registry registry = registry(dir)) {
      // an earlier Flink job, then the running one's two subtasks (as StreamProgress records them)
      registry.jobs().recordProgress(stream(origin, "old-job", 0, "2001-02-27T10:00:00Z", "2001-02-27T09:59:00Z",
          t0.minusSeconds(7200)));
      registry.jobs().recordProgress(stream(origin, "new-job", 0, "2001-03-01T05:50:00Z", "2001-03-01T05:49:50Z",
          t0.plusSeconds(6 * 3600)));
      registry.jobs().recordProgress(stream(origin, "new-job", 1, "2001-03-01T05:40:00Z", "2001-03-01T05:39:30Z",
          t0.plusSeconds(6 * 3600 - 30)));
    }
    Run r = run("status", "-C", dir.toString(), "--json", "--now", "2001-03-01T06:00:00Z");
    JsonNode o = group(JSON.readTree(r.out()).get("groups"), "origin_delays");
    JsonNode stream = o.get("stream");
    assertThat(stream.get("latest_event").asText()).isEqualTo("2001-03-01T05:50:00Z");
    assertThat(stream.get("lag_seconds").asLong()).isEqualTo(600);
    assertThat(stream.get("watermark").asText()).as("the job's: the least of its subtasks'").isEqualTo("2001-03-01T05:39:30Z");
    assertThat(stream.get("job").asText()).isEqualTo("new-job");
    assertThat(o.get("online_materialized_to").asText()).as("the stream feeds the online store").startsWith("2001-03-01T05:50:00");
    assertThat(group(JSON.readTree(r.out()).get("groups"), "route_delays").get("stream").isNull()).isTrue();
    assertThat(run("status", "-C", dir.toString(), "--now", "2001-03-01T06:00:00Z").out())
        .contains("  stream: latest event 2001-03-01T05:50:00Z (lag 10m), watermark 2001-03-01T05:39:30Z");
  }

  private static JobRun stream(CompiledGroup g, String job, int subtask, String latest, String watermark, Instant at) {
    long latestMicros = dev.strata.dsl.time.Durations.parseInstant(latest);
    return JobRun.builder("flights", JobKind.STREAM, g.name(), g.version()).runId("stream/" + job + "/flights/" + subtask)
        .covered(latestMicros - DAY, latestMicros + 1).times(at.minusSeconds(60), at).rows(10)
        .detail("{\"job\":\"" + job + "\",\"source\":\"flights\",\"subtask\":" + subtask + ",\"checkpoint\":7,"
            + "\"latest_event\":\"" + latest + "\",\"watermark\":\"" + watermark + "\",\"tiles\":10}")
        .build();
  }

  private static JsonNode group(JsonNode groups, String name) {
    for (JsonNode g : groups) {
      if (g.get("name").asText().equals(name)) {
        return g;
      }
    }
    throw new AssertionError("no group " + name + " in " + groups);
  }

  @Test
  void aBadInstantIsOneSentence(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    Run r = run("status", "-C", dir.toString(), "--now", "yesterday-ish");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("strata: Cannot read --now 'yesterday-ish': expected an instant such as 2001-03-01T06:00:00Z");
  }

  private static Registry registry(Path dir) {
    return Projects.openRegistry(StrataConfig.load(dir));
  }
}
