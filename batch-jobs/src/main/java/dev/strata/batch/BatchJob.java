package dev.strata.batch;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeRanges;
import dev.strata.online.EncodedTile;
import dev.strata.online.OnlineStore;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.OnlineStoreException;
import dev.strata.online.TileWriter;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/**
 * The batch job's entry point, for spark-submit and for {@code java -cp} (local[*]):
 *
 * <pre>
 * BatchJob [--project DIR] [--master M] backfill (GROUP | --all) --from D --to D
 * BatchJob [--project DIR] [--master M] training-set NAME [--spine PATH] --out TABLE|PATH
 * BatchJob [--project DIR] [--master M] materialize (GROUP | --all) [--at T] [--full] [--dry-run]
 * BatchJob [--project DIR] [--master M] monitor MONITOR [--from D --to D] [--report FILE.html]
 *          [--json FILE.json] [--fail-on-drift] [--max-exact-values N] [--sketch] [--segments-top N]
 *          [--skew-tolerance R | --no-skew]
 *          [--prometheus FILE.prom] [--pushgateway URL] [--webhook URL]
 * BatchJob [--project DIR] [--master M] log ingest DIR
 * BatchJob [--project DIR] [--master M] maintenance [--retention 7d] [--keep-last 1] [--older-than 24h] [--dry-run]
 * </pre>
 *
 * <p>Every job that may write tables holds the local warehouse's lock file shared until it exits;
 * maintenance holds it exclusive (see {@link WarehouseLock}).
 *
 * Exit 0 on success, 1 with one sentence on stderr for bad input (missing file, unknown name,
 * unreachable catalog, invalid definitions as file:line:col lines), 2 for bad usage, and
 * {@value #EXIT_DRIFT} from {@code monitor --fail-on-drift} when a feature's status is drift
 * (results and reports are written first).
 */
@Command(name = "strata-batch", mixinStandardHelpOptions = true,
    subcommands = {BatchJob.Backfill.class, BatchJob.TrainingSet.class, BatchJob.Materialize.class, BatchJob.Monitor.class,
        BatchJob.Log.class, BatchJob.Maintenance.class},
    description = "Strata's Spark jobs: backfill, training sets, materialize, monitor, log ingest, maintenance.")
public final class BatchJob {
  /** The exit code of {@code monitor --fail-on-drift} when any feature drifted. */
  public static final int EXIT_DRIFT = 3;

  @Option(names = "--project", defaultValue = ".", description = "The project folder (definitions and strata.yaml).")
  Path project;

  @Option(names = "--master", description = "Spark master (default: spark-submit's, else local[*]).")
  String master;

  /** The warehouse lock this run holds, released when the run ends. */
  private WarehouseLock lock;

  public static void main(String[] args) {
    System.exit(run(args, System.err));
  }

  /** Runs a command line; returns the exit code. */
  public static int run(String[] args, PrintStream err) {
    BatchJob job = new BatchJob();
    CommandLine cl = new CommandLine(job);
    cl.setErr(new java.io.PrintWriter(new java.io.OutputStreamWriter(err, java.nio.charset.StandardCharsets.UTF_8), true));
    cl.setExecutionExceptionHandler((e, line, parsed) -> {
      err.println(message(e));
      return 1;
    });
    try {
      return cl.execute(args);
    } finally {
      job.unlock();
    }
  }

  private void unlock() {
    if (lock != null) {
      lock.close();
      lock = null;
    }
  }

  static String message(Throwable e) {
    if (e instanceof JobException) {
      return e.getMessage();
    }
    if (e instanceof DefinitionException d) {
      StringBuilder b = new StringBuilder("Cannot run: the definitions have errors:");
      d.diagnostics().forEach(x -> b.append(System.lineSeparator()).append(x));
      return b.toString();
    }
    return "Cannot run the job: " + StrataSpark.firstLine(e) + ".";
  }

  /**
   * Loads the project, starts Spark, registers the catalog. A job that needs the catalog may write
   * tables: it holds the local warehouse's lock shared until the run ends, so that maintenance
   * never removes the files it is writing.
   */
  JobContext context(boolean needsCatalog) {
    return context(needsCatalog, false);
  }

  /** As {@link #context(boolean)}; {@code maintenance} takes the warehouse lock exclusive instead. */
  JobContext context(boolean needsCatalog, boolean maintenance) {
    Path dir = project.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new JobException("Cannot open project " + dir + ": no such folder.");
    }
    ProjectSnapshot ref = ProjectSnapshot.read(dir);
    StrataConfig config = StrataConfig.load(dir);
    if (needsCatalog && !config.warehouseIsUri() && lock == null) {
      Path warehouse = config.warehousePath();
      if (maintenance) {
        lock = WarehouseLock.exclusive(warehouse, MAINTENANCE_LOCK_WAIT_MILLIS).orElseThrow(() -> new JobException(
            "Cannot run maintenance: a Strata job is writing to " + warehouse + "; run it when no job runs."));
      } else {
        lock = WarehouseLock.shared(warehouse);
      }
    }
    SparkSession spark = StrataSpark.session(master);
    spark.sparkContext().setLogLevel("WARN");
    Progress progress = Progress.console().attach(spark);
    if (needsCatalog) {
      StrataSpark.registerCatalog(spark, config, StrataSpark.DEFAULT_CATALOG);
    }
    return new JobContext(spark, config, ref, StrataSpark.DEFAULT_CATALOG, progress);
  }

  static List<String> groups(CompiledPlan plan, String group, boolean all, String verb) {
    if (all) {
      return plan.groups().stream().filter(CompiledGroup::offline).map(CompiledGroup::name).toList();
    }
    if (group == null) {
      throw new JobException("Cannot " + verb + ": name a feature group or give --all.");
    }
    if (plan.group(group).isEmpty()) {
      throw new JobException("Cannot " + verb + " group '" + group + "': no such feature group (known: "
          + String.join(", ", plan.groups().stream().map(CompiledGroup::name).toList()) + ").");
    }
    return List.of(group);
  }

  static LocalDate day(String text, String option) {
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw new JobException("Cannot read " + option + " '" + text + "': expected a date such as 2001-01-31.");
    }
  }

  @Command(name = "backfill", mixinStandardHelpOptions = true, description = {
      "Compute tiles and daily snapshots of whole UTC days into Iceberg, and record the days done in the job ledger.",
      "--from D --to D replaces exactly [D, D]; --through D (or 'yesterday') computes only the days the group's",
      "current version lacks, from --from or its first event: rerunning it does nothing."})
  static final class Backfill implements Callable<Integer> {
    @CommandLine.ParentCommand
    BatchJob parent;

    @Parameters(index = "0", arity = "0..1", description = "The feature group.")
    String group;

    @Option(names = "--all", description = "Every offline feature group.")
    boolean all;

    @Option(names = "--from", description = "First day (UTC), e.g. 2001-01-01 (with --through: default the group's first event).")
    String from;

    @Option(names = "--to", description = "Last day (UTC), inclusive: replace exactly [--from, --to].")
    String to;

    @Option(names = "--through", description = "Last day (UTC) or 'yesterday': compute only the days not done yet.")
    String through;

    @Override
    public Integer call() {
      if ((to == null) == (through == null)) {
        throw new JobException(to == null
            ? "Cannot backfill: give --through <day|yesterday> (only the days not done yet) or --from <day> --to <day> (exactly that range)."
            : "Cannot backfill: give either --to (replace exactly [--from, --to]) or --through (only the days not done yet), not both.");
      }
      if (to != null && from == null) {
        throw new JobException("Cannot backfill: --to needs --from (the first day to replace).");
      }
      LocalDate f = from == null ? null : day(from, "--from");
      LocalDate last = to != null ? day(to, "--to")
          : "yesterday".equals(through) ? LocalDate.now(java.time.ZoneOffset.UTC).minusDays(1) : day(through, "--through");
      if (f != null && last.isBefore(f)) {
        throw new JobException("Cannot backfill: " + (to != null ? "--to " : "--through ") + last + " is before --from " + f + ".");
      }
      JobContext ctx = parent.context(true);
      List<String> names = groups(ctx.plan(), group, all, "backfill");
      long start = System.nanoTime();
      try (Ledger ledger = Ledger.open(ctx.config(), ctx.plan().project())) {
        for (String name : names) {
          CompiledGroup g = ctx.plan().group(name).orElseThrow();
          BackfillJob job = new BackfillJob(ctx);
          TimeRanges todo;
          if (to != null) {
            todo = TimeRanges.days(f.toEpochDay(), last.toEpochDay());
          } else {
            LocalDate first = f != null ? f : job.firstEventDay(name).orElse(null);
            if (first == null) {
              ctx.progress().say("backfill " + name + ": its source has no events; nothing to do");
              continue;
            }
            TimeRanges wanted = TimeRanges.days(first.toEpochDay(), last.toEpochDay());
            TimeRanges done = ledger.jobs().covered(ctx.plan().project(), JobKind.BACKFILL, name, g.version());
            todo = wanted.minus(done);
            long doneDays = days(wanted.intersect(done));
            if (todo.isEmpty()) {
              ctx.progress().say("backfill " + name + ": all " + doneDays + " days " + first + " .. " + last
                  + " are done for version " + g.version() + "; nothing to do");
              continue;
            }
            ctx.progress().say(String.format(Locale.ROOT, "backfill %s: %d days already done, computing %d: %s", name,
                doneDays, days(todo), describe(todo)));
          }
          for (int i = 0; i < todo.rangeCount(); i++) {
            LocalDate rangeFrom = LocalDate.ofEpochDay(todo.start(i) / Durations.DAY);
            LocalDate rangeTo = LocalDate.ofEpochDay(todo.end(i) / Durations.DAY - 1);
            ledger.run(JobKind.BACKFILL, name, g.version(), todo.start(i), todo.end(i), () -> {
              BackfillJob.Result r = job.run(name, rangeFrom, rangeTo);
              double s = (System.nanoTime() - start) / 1e9;
              ctx.progress().say(String.format(Locale.ROOT, "done %s %s .. %s in %.1f s (%,.0f events/s)", r.group(),
                  rangeFrom, rangeTo, s, r.events() / Math.max(s, 1e-3)));
              return new Ledger.Outcome(r.snapshotRows(), r.snapshotIds(), null);
            });
          }
        }
      }
      return 0;
    }

    private static long days(TimeRanges ranges) {
      return ranges.totalMicros() / Durations.DAY;
    }

    private static String describe(TimeRanges ranges) {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < ranges.rangeCount(); i++) {
        sb.append(i == 0 ? "" : ", ").append(LocalDate.ofEpochDay(ranges.start(i) / Durations.DAY)).append(" .. ")
            .append(LocalDate.ofEpochDay(ranges.end(i) / Durations.DAY - 1));
      }
      return sb.toString();
    }
  }

  @Command(name = "training-set", mixinStandardHelpOptions = true, description = "Build a point-in-time correct training set.")
  static final class TrainingSet implements Callable<Integer> {
    @CommandLine.ParentCommand
    BatchJob parent;

    @Parameters(index = "0", description = "The training set.")
    String name;

    @Option(names = "--spine", description = "A CSV/Parquet/JSON file of spine rows instead of the training set's spine (its columns: the spine source's,"
        + " or those of the spine file), relative to the project.")
    String spine;

    @Option(names = "--out", required = true, description = "An Iceberg table (namespace.table) or a path ending .parquet or .csv.")
    String out;

    @Option(names = "--as-of", paramLabel = "LINEAGE",
        description = "Build again from what an earlier build read: its <file>.lineage.json, or its Iceberg table"
            + " (property strata.lineage). Sources are read as recorded (table snapshots; files up to their recorded length).")
    String asOf;

    @Override
    public Integer call() {
      String lower = out.toLowerCase(java.util.Locale.ROOT);
      boolean file = lower.endsWith(".parquet") || lower.endsWith(".csv");
      Lineage before = null;
      if (asOf != null && isFile(asOf)) {
        before = Lineage.parse(readFile(asOf), asOf);
      }
      JobContext ctx = parent.context(!file || (asOf != null && before == null));
      if (asOf != null && before == null) {
        before = Lineage.parse(tableLineage(ctx, asOf), asOf);
      }
      long start = System.nanoTime();
      var ts = ctx.plan().trainingSet(name);
      String spineFile = spine;
      if (before != null) {
        checkUnchanged(ctx.plan(), ts.orElseThrow(() -> new JobException("Cannot build training set '" + name
            + "': no such training set.")), before);
        spineFile = spine != null ? spine : before.spineFile();
        ctx.pinSources(before.pins());
      } else {
        ctx.pinSources(Map.of());
      }
      Dataset<Row> rows = new TrainingSetJob(ctx).compute(name, spineFile);
      String where = TrainingSetWriter.write(ctx, rows, out, ts.orElseThrow().timestamp());
      List<String> command = new java.util.ArrayList<>(List.of("training-set", name, "--out", out));
      if (spineFile != null) {
        command.addAll(List.of("--spine", spineFile));
      }
      if (asOf != null) {
        command.addAll(List.of("--as-of", asOf));
      }
      Lineage lineage = Lineage.of(ctx.plan(), name, ctx.pins(), spineFile, command);
      String recorded = writeLineage(ctx, file, where, lineage);
      double s = (System.nanoTime() - start) / 1e9;
      ctx.progress().say(String.format(Locale.ROOT, "training set %s -> %s in %.1f s (lineage in %s)", name, where, s, recorded));
      return 0;
    }

    private static boolean isFile(String path) {
      return Files.isRegularFile(Path.of(path));
    }

    private static String readFile(String path) {
      try {
        return Files.readString(Path.of(path));
      } catch (java.io.IOException e) {
        throw new JobException("Cannot read the lineage in " + path + ": " + e.getMessage() + ".");
      }
    }

    private static String tableLineage(JobContext ctx, String table) {
      String qualified = TrainingSetWriter.tableName(ctx, table);
      try {
        org.apache.iceberg.Table t = org.apache.iceberg.spark.Spark3Util.loadIcebergTable(ctx.spark(), qualified);
        String json = t.properties().get(Lineage.TABLE_PROPERTY);
        if (json == null) {
          throw new JobException("Cannot build as of " + table + ": the table records no lineage (it was built before lineage was recorded).");
        }
        return json;
      } catch (JobException e) {
        throw e;
      } catch (Exception e) {
        throw new JobException("Cannot build as of " + table + ": it is neither a lineage file nor a training set table ("
            + StrataSpark.firstLine(e) + ").");
      }
    }

    /** A rebuild is only identical when the service's groups compute as they did. */
    private static void checkUnchanged(CompiledPlan plan, dev.strata.dsl.plan.CompiledPlan.CompiledTrainingSet ts, Lineage before) {
      var service = plan.service(ts.service()).orElseThrow();
      for (String groupName : service.groups()) {
        String now = plan.group(groupName).orElseThrow().fingerprint();
        String then = before.groupFingerprints().get(groupName);
        if (!now.equals(then)) {
          throw new JobException("Cannot build training set '" + ts.name() + "' as of " + before.builtAt() + ": group '" + groupName
              + "' " + (then == null ? "did not exist then" : "changed since (version " + then.substring(0, Math.min(12, then.length()))
              + " then, " + now.substring(0, Math.min(12, now.length())) + " now)") + "; build it from the definitions of then.");
        }
      }
    }

    private static String writeLineage(JobContext ctx, boolean file, String where, Lineage lineage) {
      if (file) {
        Path sidecar = Path.of(where + ".lineage.json");
        try {
          Files.writeString(sidecar, lineage.toJson());
        } catch (java.io.IOException e) {
          throw new JobException("Cannot write " + sidecar + ": " + e.getMessage() + ".");
        }
        return sidecar.toString();
      }
      try {
        org.apache.iceberg.Table t = org.apache.iceberg.spark.Spark3Util.loadIcebergTable(ctx.spark(), where);
        t.updateProperties().set(Lineage.TABLE_PROPERTY, lineage.toJson()).commit();
      } catch (Exception e) {
        throw new JobException("Cannot record the lineage of " + where + ": " + StrataSpark.firstLine(e) + ".", e);
      }
      return where + " (table property " + Lineage.TABLE_PROPERTY + ")";
    }
  }

  @Command(name = "materialize", mixinStandardHelpOptions = true, description = "Hand the tiles of the last max-window to the online store's writer;"
      + " by default only those changed since the group version's last materialize.")
  static final class Materialize implements Callable<Integer> {
    @CommandLine.ParentCommand
    BatchJob parent;

    @Parameters(index = "0", arity = "0..1", description = "The feature group.")
    String group;

    @Option(names = "--all", description = "Every online feature group.")
    boolean all;

    @Option(names = "--at", description = "The instant (default now), e.g. 2001-07-01T00:00:00Z.")
    String at;

    @Option(names = "--full", description = "Push every tile a read as of --at needs, not only what changed since the last materialize.")
    boolean full;

    @Option(names = "--dry-run", description = "Count the tiles without writing them.")
    boolean dryRun;

    @Override
    public Integer call() {
      long atMicros;
      try {
        atMicros = at == null ? Durations.toMicros(java.time.Instant.now()) : Durations.parseInstant(at);
      } catch (IllegalArgumentException e) {
        throw new JobException("Cannot read --at '" + at + "': expected an instant such as 2001-07-01T00:00:00Z.");
      }
      if (!dev.strata.dsl.time.TimeDomain.contains(atMicros)) {
        throw new JobException("Cannot read --at '" + at + "': Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z).");
      }
      JobContext ctx = parent.context(true);
      List<String> names = all
          ? ctx.plan().groups().stream().filter(CompiledGroup::online).map(CompiledGroup::name).toList()
          : groups(ctx.plan(), group, false, "materialize");
      try (Ledger ledger = Ledger.open(ctx.config(), ctx.plan().project())) {
        for (String name : names) {
          CompiledGroup g = ctx.plan().group(name).orElseThrow();
          MaterializeJob.Since since = full ? null : lastMaterialize(ledger, ctx.plan().project(), g);
          if (dryRun) {
            try (TileWriter writer = new CountingWriter()) {
              new MaterializeJob(ctx).run(name, atMicros, since, writer);
            }
            continue;
          }
          // the run "covers" the instant the store is materialized to: status reads it as such; the
          // snapshot it read is where the next incremental run starts
          ledger.runUnclaimed(JobKind.MATERIALIZE, name, g.version(), atMicros, atMicros, () -> {
            try (TileWriter writer = openWriter(ctx)) {
              MaterializeJob.Result r = new MaterializeJob(ctx).run(name, atMicros, since, writer);
              return new Ledger.Outcome(r.tiles(), List.of(r.snapshotId()), r.summary());
            }
          });
        }
      }
      return 0;
    }

    /** The newest succeeded materialize of this version that recorded the snapshot it read, or null. */
    private static MaterializeJob.Since lastMaterialize(Ledger ledger, String project, CompiledGroup g) {
      if (!ledger.recording()) {
        return null; // no ledger (a REST catalog): every run is full
      }
      for (JobRun r : ledger.jobs().runs(project, JobKind.MATERIALIZE, g.name(), g.version())) {
        if (r.succeeded() && !r.snapshotIds().isEmpty()) {
          return new MaterializeJob.Since(r.snapshotIds().get(r.snapshotIds().size() - 1), r.coveredTo());
        }
      }
      return null;
    }
  }

  @Command(name = "monitor", mixinStandardHelpOptions = true, description = "Drift of a monitor's service features: reference vs [from, to] and each `every` period of it.")
  static final class Monitor implements Callable<Integer> {
    @CommandLine.ParentCommand
    BatchJob parent;

    @Parameters(index = "0", description = "The monitor.")
    String name;

    @Option(names = "--from", description = "First day of the current slice (default: the last `every` period up to the latest snapshot day).")
    String from;

    @Option(names = "--to", description = "Last day of the current slice, inclusive.")
    String to;

    @Option(names = "--report", description = "Write the self-contained HTML report here.")
    Path report;

    @Option(names = "--json", description = "Write the report's JSON here.")
    Path json;

    @Option(names = "--fail-on-drift", description = "Exit 3 when any feature's status is drift.")
    boolean failOnDrift;

    @Option(names = "--max-exact-values", defaultValue = "20000000",
        description = "Most feature values (rows x features) collected to the driver for exact drift.")
    long maxExactValues;

    @Option(names = "--skew-tolerance", defaultValue = "1e-9",
        description = "Relative tolerance for doubles when comparing served with offline values (default 1e-9).")
    double skewTolerance;

    @Option(names = "--sketch", description = "Drift from sketches (DataSketches KLL and frequent items) for every feature,"
        + " with the error bound in the results; without it only groups over --max-exact-values use sketches.")
    boolean sketch;

    @Option(names = "--segments-top", defaultValue = "10",
        description = "Per segment column of the monitor, drift of the N values with most reference rows (default 10).")
    int segmentsTop;

    @Option(names = "--no-skew", description = "Leave online/offline skew out even where the service's served log has rows.")
    boolean noSkew;

    @Option(names = "--prometheus", description = "Write Prometheus gauges (text format, for node-exporter's textfile collector) here.")
    Path prometheus;

    @Option(names = "--pushgateway", description = "Push the Prometheus gauges to this Pushgateway, e.g. http://127.0.0.1:9091.")
    String pushgateway;

    @Option(names = "--webhook", description = "POST a JSON summary to this URL when any feature's status is drift.")
    String webhook;

    @Override
    public Integer call() throws java.io.IOException {
      LocalDate f = from == null ? null : day(from, "--from");
      LocalDate t = to == null ? null : day(to, "--to");
      URI pushUri = url(pushgateway, "--pushgateway");
      dev.strata.monitoring.skew.SkewComparison comparison;
      try {
        comparison = noSkew ? null : dev.strata.monitoring.skew.SkewComparison.relative(skewTolerance);
      } catch (IllegalArgumentException e) {
        throw new JobException(e.getMessage() + ".");
      }
      URI webhookUri = url(webhook, "--webhook");
      for (Path p : new Path[] {report, json, prometheus}) {
        Path dir = p == null ? null : p.toAbsolutePath().getParent();
        if (dir != null && !Files.isDirectory(dir)) {
          throw new JobException("Cannot write " + p + ": folder " + dir + " does not exist.");
        }
      }
      JobContext ctx = parent.context(true);
      // an unknown monitor is a sentence before any Spark job runs
      MonitorJob.monitor(ctx.plan(), name);
      MonitorJob job = new MonitorJob(ctx, maxExactValues, comparison).segmentsTop(segmentsTop);
      MonitorJob.Result r;
      try (Ledger ledger = Ledger.open(ctx.config(), ctx.plan().project())) {
        // the ledger keeps each monitor's last status for 'strata status'; the version is the plan's
        MonitorJob.Result[] out = new MonitorJob.Result[1];
        long at = Durations.toMicros(java.time.Instant.now());
        ledger.runUnclaimed(JobKind.MONITOR, name, dev.strata.dsl.plan.PlanJson.hash(ctx.plan()), at, at, () -> {
          out[0] = (sketch ? job.sketchAlways() : job).run(name, f, t);
          return new Ledger.Outcome(out[0].rows(), List.of(), out[0].report().overall().name().toLowerCase(Locale.ROOT)
              + " " + out[0].current().start() + ".." + out[0].current().end());
        });
        r = out[0];
      }
      // one line per feature: the table and the report hold the numbers
      for (dev.strata.monitoring.drift.FeatureDrift d : r.report().features()) {
        System.out.println(d.feature() + ": " + d.status().label()
            + (d.reasons().isEmpty() ? "" : " (" + String.join("; ", d.reasons()) + ")"));
      }
      if (report != null) {
        dev.strata.monitoring.report.HtmlReport.write(r.report(), report);
      }
      if (json != null) {
        Files.writeString(json, dev.strata.monitoring.report.DriftJson.toJson(r.report()));
      }
      if (r.report().skew() != null) {
        for (dev.strata.monitoring.skew.FeatureSkew s : r.report().skew().features()) {
          if (s.mismatches() > 0) {
            System.out.println(String.format(java.util.Locale.ROOT, "skew %s: %,d of %,d served values differ from offline",
                s.feature(), s.mismatches(), s.rowsCompared()));
          }
        }
      }
      // results are in the table and the files by now: a delivery failure loses nothing
      String kept = " (the results are in " + ctx.table(MonitorJob.TABLE) + ")";
      if (prometheus != null) {
        dev.strata.monitoring.alert.PrometheusGauges.write(name, r.report(), prometheus);
      }
      if (pushUri != null) {
        try {
          dev.strata.monitoring.alert.PrometheusGauges.push(name, r.report(), pushUri);
        } catch (java.io.IOException e) {
          throw new JobException("Cannot push the gauges: " + e.getMessage() + kept + ".");
        }
      }
      if (webhookUri != null) {
        try {
          if (dev.strata.monitoring.alert.DriftWebhook.postOnDrift(name, r.report(), webhookUri)) {
            ctx.progress().say("monitor " + name + ": drift posted to " + webhookUri);
          }
        } catch (java.io.IOException e) {
          throw new JobException("Cannot deliver the drift webhook: " + e.getMessage() + kept + ".");
        }
      }
      boolean drifted = r.report().overall() == dev.strata.monitoring.drift.Status.DRIFT;
      return failOnDrift && drifted ? EXIT_DRIFT : 0;
    }

    private static URI url(String text, String option) {
      if (text == null) {
        return null;
      }
      try {
        URI u = new URI(text);
        if (("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null) {
          return u;
        }
      } catch (java.net.URISyntaxException e) {
        // reported below
      }
      throw new JobException("Cannot read " + option + " '" + text + "': expected an http(s) URL such as http://127.0.0.1:9091.");
    }
  }

  @Command(name = "log", mixinStandardHelpOptions = true, description = "The feature server's served-vector and prediction logs.",
      subcommands = {LogIngest.class})
  static final class Log {
    @CommandLine.ParentCommand
    BatchJob parent;
  }

  @Command(name = "ingest", mixinStandardHelpOptions = true, description = "Load new JSON-lines log files (features/date=*/*.jsonl, predictions/date=*/*.jsonl)"
      + " into Iceberg served_features and prediction_log; files already ingested are skipped.")
  static final class LogIngest implements Callable<Integer> {
    @CommandLine.ParentCommand
    Log log;

    @Parameters(index = "0", description = "The log folder (holding features/ and predictions/).")
    Path dir;

    @Override
    public Integer call() {
      Path d = log.parent.project.resolve(dir).toAbsolutePath().normalize();
      if (!Files.isDirectory(d)) {
        throw new JobException("Cannot ingest logs from " + d + ": no such folder.");
      }
      if (!Files.isDirectory(d.resolve("features")) && !Files.isDirectory(d.resolve("predictions"))) {
        throw new JobException("Cannot ingest logs from " + d + ": it holds neither features/ nor predictions/.");
      }
      JobContext ctx = log.parent.context(true);
      new LogIngestJob(ctx).run(d);
      return 0;
    }
  }

  /** How long maintenance waits for running jobs to release the warehouse lock. */
  static final long MAINTENANCE_LOCK_WAIT_MILLIS = 3000;

  /** A duration of the language ({@code 7d}, {@code 24h}), or zero ({@code 0d}: everything up to now). */
  static long duration(String text, String option) {
    if (text != null && text.strip().matches("0+[smhd]")) {
      return 0;
    }
    try {
      return Durations.parseMicros(text);
    } catch (IllegalArgumentException e) {
      throw new JobException("Cannot read " + option + " '" + text + "': expected a number and a unit s, m, h or d, such as 7d or 24h.");
    }
  }

  @Command(name = "maintenance", mixinStandardHelpOptions = true, description = {
      "Expire old snapshots and delete orphan files (such as those of a killed job) of every Strata table:",
      "the project's namespace (groups, tiles, monitoring and log tables) and namespace training.",
      "Holds the local warehouse's lock exclusive: refuses while a job writes."})
  static final class Maintenance implements Callable<Integer> {
    @CommandLine.ParentCommand
    BatchJob parent;

    @Option(names = "--retention", defaultValue = "7d", description = "Expire snapshots older than this (default 7d).")
    String retention;

    @Option(names = "--keep-last", defaultValue = "1", description = "Never expire the newest N snapshots of a table (default 1).")
    int keepLast;

    @Option(names = "--older-than", defaultValue = "24h",
        description = "Delete only orphan files older than this (default 24h): protects files a running job is writing.")
    String olderThan;

    @Option(names = "--dry-run", description = "List what would be removed; remove nothing.")
    boolean dryRun;

    @Override
    public Integer call() {
      long retentionMicros = duration(retention, "--retention");
      long olderThanMicros = duration(olderThan, "--older-than");
      if (keepLast < 1) {
        throw new JobException("Cannot run maintenance: --keep-last must be at least 1 (a table keeps its current snapshot).");
      }
      JobContext ctx = parent.context(true, true);
      long now = System.currentTimeMillis();
      MaintenanceJob job = new MaintenanceJob(ctx);
      int snapshots = 0;
      int orphans = 0;
      long bytes = 0;
      String verb = dryRun ? "would remove" : "removed";
      List<MaintenanceJob.TableRef> tables = job.tables();
      for (MaintenanceJob.TableRef table : tables) {
        MaintenanceJob.TableResult r = job.run(table, now - retentionMicros / 1000, keepLast, now - olderThanMicros / 1000, dryRun);
        System.out.println(String.format(Locale.ROOT, "%s: %s %d snapshots, %d orphan files, %,d bytes", table, verb,
            r.snapshotsExpired(), r.orphanFiles().size(), r.bytes()));
        if (dryRun) {
          r.orphanFiles().forEach(f -> System.out.println("  orphan " + f));
        }
        snapshots += r.snapshotsExpired();
        orphans += r.orphanFiles().size();
        bytes += r.bytes();
      }
      System.out.println(String.format(Locale.ROOT, "total: %s %d snapshots, %d orphan files, %,d bytes in %d tables%s", verb,
          snapshots, orphans, bytes, tables.size(), dryRun ? " (dry run: nothing removed)" : ""));
      return 0;
    }
  }

  /** The online store's writer, on the Redis of the project's configuration. */
  static TileWriter openWriter(JobContext ctx) {
    try {
      return OnlineStore.openWriter(ctx.plan(), OnlineStoreConfig.fromStrataConfig(ctx.config()));
    } catch (OnlineStoreException | IllegalArgumentException e) {
      throw new JobException("Cannot materialize: " + e.getMessage() + ".", e);
    }
  }

  /** What --dry-run writes to: nothing, counting. */
  static final class CountingWriter implements TileWriter {
    long tiles;

    @Override
    public void write(List<EncodedTile> batch) {
      tiles += batch.size();
    }
  }
}
