package dev.strata.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.zip.ZipFile;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The Spark jobs (backfill, training-set, materialize), run locally as child processes from the
 * batch job jar with Spark's jars beside it: the same jar spark-submit takes on a cluster.
 */
final class BatchCommands {
  private BatchCommands() {}

  static final String MAIN = dev.strata.deploy.ManifestRenderer.BATCH_MAIN;

  /** Runs {@code BatchJob --project DIR <args>} with Spark in local mode. */
  static int run(Path dir, List<String> args) {
    Projects.compile(dir); // mistakes in the definitions are reported here, as everywhere
    Path home = JobLauncher.home();
    Path target = JobLauncher.jobsDir(home, "batch-jobs");
    Path jar = target.resolve("strata-batch-jobs.jar");
    if (!Files.isRegularFile(jar)) {
      throw new UserException("Cannot run the batch job: " + jar + " is missing; " + JobLauncher.howToBuild(home, "batch-jobs"));
    }
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + heap(System.getenv(HEAP_ENV), System.getProperty("strata.spark.memory"))));
    jvm.addAll(sparkJvmFlags(jar));
    List<String> jobArgs = new ArrayList<>(List.of("--project", dir.toAbsolutePath().toString()));
    jobArgs.addAll(args);
    String classpath = jar + java.io.File.pathSeparator + sparkClasspath(home, target);
    String verb = args.isEmpty() ? "batch" : args.get(0);
    return JobLauncher.runWithClasspath(verb + " job", classpath, MAIN, jvm, jobArgs, aftermath(verb));
  }

  /** What a killed job of {@code verb} leaves behind, and what to do: for the sentence the CLI prints. */
  static String aftermath(String verb) {
    return switch (verb) {
      case "backfill" -> "the previous snapshot stays readable (Iceberg commits all or nothing); rerun the same command"
          + " to finish";
      case "materialize" -> "the tiles written so far are whole; rerun the same command to finish";
      case "maintenance" -> "readers see the same rows (snapshot expiry commits all or nothing); rerun the same command to finish";
      default -> JobLauncher.GENERIC_AFTERMATH;
    };
  }

  /** The environment variable that sets the local batch job's heap. */
  static final String HEAP_ENV = "STRATA_BATCH_MEMORY";
  /** The local batch job's heap when none is set: Spark, the job and its sort buffers fit with room to spare. */
  static final String DEFAULT_HEAP = "6g";

  /**
   * The heap (-Xmx) of the local batch job: {@value #HEAP_ENV}, else the {@code strata.spark.memory}
   * system property, else {@value #DEFAULT_HEAP}; a size in Java's notation (2g, 4096m).
   */
  static String heap(String env, String property) {
    String value = env != null && !env.isBlank() ? env.strip() : property != null && !property.isBlank() ? property.strip() : DEFAULT_HEAP;
    if (!value.matches("[1-9][0-9]*[kKmMgGtT]?")) {
      throw new UserException("Cannot run the batch job: " + (env != null && !env.isBlank() ? HEAP_ENV : "strata.spark.memory")
          + " '" + value + "' is not a heap size such as 2g or 4096m");
    }
    return value;
  }

  /**
   * Spark's jars for a local run: a full distribution's jobs/spark-lib (mvn package -Pdist), else
   * the Spark installation at SPARK_HOME, else the build's spark-classpath.txt (the local Maven
   * repository's jars: works on the machine that built Strata).
   */
  static String sparkClasspath(Path home, Path target) {
    Path sparkLib = target.resolve("spark-lib");
    if (Files.isDirectory(sparkLib)) {
      return sparkLib + "/*";
    }
    String sparkHome = System.getenv("SPARK_HOME");
    if (sparkHome != null && !sparkHome.isBlank() && Files.isDirectory(Path.of(sparkHome, "jars"))) {
      return Path.of(sparkHome, "jars") + "/*";
    }
    Path listed = target.resolve("spark-classpath.txt");
    try {
      String classpath = Files.isRegularFile(listed) ? Files.readString(listed).strip() : "";
      String first = classpath.split(java.io.File.pathSeparator, 2)[0];
      if (!first.isEmpty() && Files.exists(Path.of(first))) {
        return classpath;
      }
    } catch (IOException e) {
      throw new UserException("Cannot run the batch job: cannot read " + listed + " (" + e.getMessage() + ")");
    }
    throw new UserException("Cannot run the batch job: no Spark jars were found; set SPARK_HOME to a Spark "
        + dev.strata.deploy.ManifestRenderer.SPARK_VERSION + " installation, " + (JobLauncher.isDistribution(home)
            ? "or use a full distribution (mvn package -Pdist puts Spark in jobs/spark-lib)"
            : "or build the job with 'mvn -DskipTests -pl batch-jobs -am package' (the ./strata launcher does this)"));
  }

  private static List<String> sparkJvmFlags(Path jar) {
    try (ZipFile zip = new ZipFile(jar.toFile())) {
      var entry = zip.getEntry("dev/strata/batch/spark-jvm-flags.txt");
      if (entry == null) {
        return List.of();
      }
      try (InputStream in = zip.getInputStream(entry)) {
        return Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+"))
            .filter(s -> !s.isEmpty()).toList();
      }
    } catch (IOException e) {
      throw new UserException("Cannot read the batch job jar " + jar + ": " + e.getMessage());
    }
  }

  /** Adds {@code name value} when the option was given. */
  private static void option(List<String> args, String name, Object value) {
    if (value != null) {
      args.add(name);
      args.add(value.toString());
    }
  }

  static final class Target {
    @Parameters(index = "0", paramLabel = "GROUP", description = "The feature group.")
    String group;

    @Option(names = "--all", required = true, description = "Every feature group.")
    boolean all;

    List<String> args() {
      return all ? List.of("--all") : List.of(group);
    }
  }

  @Command(name = "backfill", mixinStandardHelpOptions = true,
      header = "Compute a group's tiles and daily snapshots into Iceberg, for a range of days or incrementally.",
      description = {
        "Compute a group's tiles and its daily snapshot table (every feature as of each day's end) for the",
        "UTC days [from, to] into Iceberg (<namespace>.<group>__tiles and <namespace>.<group>, partitioned by day).",
        "Rerunning a range replaces exactly that range in one commit; a failed run leaves the previous snapshot.",
        "Source rows that do not fit the schema are counted and written to <warehouse>/rejects with the reason.",
        "With --through DAY|yesterday instead of --to, only the days the group's current version lacks are computed",
        "(from --from, else from its first event); the job ledger in the catalog database records the days done,",
        "so rerunning it does nothing. Two runs of overlapping days of a group never write at once."
      })
  static final class Backfill implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--from", paramLabel = "DAY",
        description = "First day (UTC), e.g. 2001-01-01 (with --through: default the group's first event).")
    String from;

    @Option(names = "--to", paramLabel = "DAY", description = "Last day (UTC), inclusive: replace exactly [--from, --to].")
    String to;

    @Option(names = "--through", paramLabel = "DAY|yesterday",
        description = "Last day (UTC) or 'yesterday': compute only the days not done yet.")
    String through;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("backfill"));
      args.addAll(target.args());
      option(args, "--from", from);
      option(args, "--to", to);
      option(args, "--through", through);
      return run(dir, args);
    }
  }

  @Command(name = "training-set", mixinStandardHelpOptions = true,
      header = "Build a point-in-time correct training set into a file or an Iceberg table.",
      description = {
        "Build a training set: for every spine row its keys, time and label, and every feature of the service",
        "as of that row's time (point-in-time correct: an event at that time is not included), derived features",
        "included. --out ending .parquet or .csv writes a file; anything else is an Iceberg table",
        "(default namespace training), partitioned by day of the spine time."
      })
  static final class TrainingSet implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The training set.")
    String name;

    @Option(names = "--spine", paramLabel = "PATH",
        description = "A CSV/Parquet/JSON file of spine rows (by its extension) instead of the training set's spine, with the"
            + " spine's columns: for a source spine, at least the columns its keys and time read (the source's others are"
            + " left out), else those of its file.")
    Path spine;

    @Option(names = "--out", required = true, paramLabel = "TABLE|PATH", description = "An Iceberg table or a .parquet/.csv path.")
    String out;

    @Option(names = "--as-of", paramLabel = "LINEAGE",
        description = "Build the same rows again from what an earlier build read: its <file>.lineage.json or its table."
            + " Sources are read as recorded (table snapshots; files up to their recorded length, which must be unchanged).")
    String asOf;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("training-set", name));
      // relative to the working directory, like every path on the command line (the job resolves against the project)
      option(args, "--spine", spine == null ? null : spine.toAbsolutePath());
      option(args, "--out", out);
      option(args, "--as-of", asOf != null && java.nio.file.Files.isRegularFile(Path.of(asOf))
          ? Path.of(asOf).toAbsolutePath().toString() : asOf);
      return run(dir, args);
    }
  }

  @Command(name = "materialize", mixinStandardHelpOptions = true,
      header = "Write a group's backfilled tiles of its widest window to the online store.",
      description = {
        "Write the backfilled tiles of the last max-window before --at (default now) to Redis through the",
        "online store's writer, so a new group is served before its stream has run a full window.",
        "Incremental by default: only the tiles the group version's last materialize did not push (those",
        "from the instant it reached on, and every day a backfill rewrote since); a rerun with nothing new",
        "says so and writes nothing. --full pushes every tile (after Redis lost data, or a new Redis)."
      })
  static final class Materialize implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--at", paramLabel = "TIME", description = "The instant, e.g. 2001-07-01T00:00:00Z (default: now).")
    String at;

    @Option(names = "--full", description = "Push every tile a read as of --at needs, not only what changed since the last materialize.")
    boolean full;

    @Option(names = "--dry-run", description = "Count the tiles without writing them.")
    boolean dryRun;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("materialize"));
      args.addAll(target.args());
      option(args, "--at", at);
      if (full) {
        args.add("--full");
      }
      if (dryRun) {
        args.add("--dry-run");
      }
      return run(dir, args);
    }
  }

  @Command(name = "monitor", mixinStandardHelpOptions = true,
      header = "Compute a monitor's drift (and skew) of its service's features and write the report.",
      description = {
        "Drift of a monitor's service features: the reference range of the monitor against the current days",
        "([--from, --to], default the last 'every' period of the daily snapshot tables), and per 'every' period",
        "inside it for drift over time. Rows go to the Iceberg table <namespace>.monitoring_drift (one per feature,",
        "slice and metric; a rerun replaces its slices), a self-contained HTML report and JSON by option.",
        "The monitor's predictions (from the prediction log) drift beside the features, and where the service's",
        "served log has rows for the current days, online/offline skew goes to <namespace>.monitoring_skew.",
        "Exit code 3 with --fail-on-drift when a feature's status is drift. Run backfill first."
      })
  static final class Monitor implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "MONITOR", description = "The monitor.")
    String monitor;

    @Option(names = "--from", paramLabel = "DAY", description = "First current day (UTC), e.g. 2001-03-01.")
    String from;

    @Option(names = "--to", paramLabel = "DAY", description = "Last current day (UTC), inclusive.")
    String to;

    @Option(names = "--report", paramLabel = "FILE", description = "Write the HTML report here.")
    Path report;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the JSON of the report here.")
    Path json;

    @Option(names = "--fail-on-drift", description = "Exit with code 3 when any feature drifts.")
    boolean failOnDrift;

    @Option(names = "--prometheus", paramLabel = "FILE", description = "Write Prometheus gauges here (textfile collector format).")
    Path prometheus;

    @Option(names = "--pushgateway", paramLabel = "URL", description = "Push the Prometheus gauges to this Pushgateway.")
    String pushgateway;

    @Option(names = "--webhook", paramLabel = "URL", description = "POST a JSON summary here when any feature drifts.")
    String webhook;

    @Option(names = "--skew-tolerance", paramLabel = "R", description = "Relative tolerance for doubles in the skew check (default 1e-9).")
    String skewTolerance;

    @Option(names = "--no-skew", description = "Leave online/offline skew out.")
    boolean noSkew;

    @Option(names = "--segments-top", paramLabel = "N", description = "Drift of the N largest segments per segment column (default 10).")
    String segmentsTop;

    @Option(names = "--sketch", description = "Drift from sketches for every feature (default: only where exact drift does not fit).")
    boolean sketch;

    @Option(names = "--max-exact-values", paramLabel = "N",
        description = "Most feature values (rows x features) collected for exact drift; above it, sketches (default 20000000).")
    String maxExactValues;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("monitor", monitor));
      option(args, "--max-exact-values", maxExactValues);
      option(args, "--prometheus", prometheus == null ? null : prometheus.toAbsolutePath());
      option(args, "--pushgateway", pushgateway);
      option(args, "--webhook", webhook);
      option(args, "--skew-tolerance", skewTolerance);
      option(args, "--segments-top", segmentsTop);
      if (noSkew) {
        args.add("--no-skew");
      }
      if (sketch) {
        args.add("--sketch");
      }
      option(args, "--from", from);
      option(args, "--to", to);
      option(args, "--report", report == null ? null : report.toAbsolutePath());
      option(args, "--json", json == null ? null : json.toAbsolutePath());
      if (failOnDrift) {
        args.add("--fail-on-drift");
      }
      return run(dir, args);
    }
  }

  @Command(name = "maintenance", mixinStandardHelpOptions = true,
      header = "Expire old snapshots and delete orphan files (such as a killed job's) of every Strata table.",
      description = {
        "Expire the snapshots older than --retention (never the newest --keep-last) and delete the files in the",
        "table folders no snapshot references and older than --older-than, such as those a killed backfill wrote",
        "before it could commit, for every table of the project's namespace (groups, tiles, monitoring and log tables)",
        "and of namespace training. Readers see the same rows before and after. Prints one line per table and a total.",
        "With a local warehouse it takes <warehouse>/.strata.lock exclusive (every job holds it shared) and refuses",
        "while a job runs; a URI warehouse (s3://...) has no lock: there --older-than alone protects a running job's files."
      })
  static final class Maintenance implements Callable<Integer> {
    @Option(names = "--retention", paramLabel = "DURATION", description = "Expire snapshots older than this (default 7d).")
    String retention;

    @Option(names = "--keep-last", paramLabel = "N", description = "Never expire a table's newest N snapshots (default 1).")
    Integer keepLast;

    @Option(names = "--older-than", paramLabel = "DURATION",
        description = "Delete only orphan files older than this (default 24h): protects the files a running job is writing.")
    String olderThan;

    @Option(names = "--dry-run", description = "List what would be removed; remove nothing.")
    boolean dryRun;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      // before Spark starts: a mistyped duration is one sentence at once
      duration(retention, "--retention");
      duration(olderThan, "--older-than");
      if (keepLast != null && keepLast < 1) {
        throw new UserException("Cannot run maintenance: --keep-last must be at least 1 (a table keeps its current snapshot)");
      }
      List<String> args = new ArrayList<>(List.of("maintenance"));
      option(args, "--retention", retention);
      option(args, "--keep-last", keepLast);
      option(args, "--older-than", olderThan);
      if (dryRun) {
        args.add("--dry-run");
      }
      return run(dir, args);
    }

    private static void duration(String text, String option) {
      if (text == null || text.strip().matches("0+[smhd]")) {
        return;
      }
      try {
        dev.strata.dsl.time.Durations.parseMicros(text);
      } catch (IllegalArgumentException e) {
        throw new UserException("Cannot read " + option + " '" + text + "': expected a number and a unit s, m, h or d, such as 7d or 24h");
      }
    }
  }

  @Command(name = "log", mixinStandardHelpOptions = true, subcommands = LogIngest.class,
      description = "The feature server's served-vector and prediction logs (JSON lines).")
  static final class Log {}

  @Command(name = "ingest", mixinStandardHelpOptions = true,
      description = {
        "Load new log files (<dir>/features/date=*/*.jsonl, <dir>/predictions/date=*/*.jsonl) into the Iceberg",
        "tables <namespace>.served_features and <namespace>.prediction_log (labels joined by request_id, the",
        "latest wins). Files already ingested (listed in <namespace>.log_files) are skipped; rows are merged",
        "on their identity, so ingesting the same lines again adds nothing. Malformed lines are counted, skipped."
      })
  static final class LogIngest implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "LOGDIR", description = "The log folder (holding features/ and predictions/).")
    Path logs;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      return run(dir, List.of("log", "ingest", logs.toAbsolutePath().toString()));
    }
  }
}
