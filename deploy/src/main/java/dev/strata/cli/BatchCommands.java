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

  static final String MAIN = "dev.strata.batch.BatchJob";

  /** Runs {@code BatchJob --project DIR <args>} with Spark in local mode. */
  static int run(Path dir, List<String> args) {
    Projects.compile(dir); // mistakes in the definitions are reported here, as everywhere
    Path target = JobLauncher.home().resolve("batch-jobs").resolve("target");
    Path jar = target.resolve("strata-batch-jobs.jar");
    Path sparkClasspath = target.resolve("spark-classpath.txt");
    if (!Files.isRegularFile(jar) || !Files.isRegularFile(sparkClasspath)) {
      throw new UserException("Cannot run the batch job: " + jar + " is missing; build it with "
          + "'mvn -DskipTests -pl batch-jobs -am package' (the ./strata launcher does this)");
    }
    List<String> jvm = new ArrayList<>(List.of("-Xmx" + System.getProperty("strata.spark.memory", "6g")));
    jvm.addAll(sparkJvmFlags(jar));
    List<String> jobArgs = new ArrayList<>(List.of("--project", dir.toAbsolutePath().toString()));
    jobArgs.addAll(args);
    try {
      String classpath = jar + java.io.File.pathSeparator + Files.readString(sparkClasspath).strip();
      return JobLauncher.runWithClasspath("batch job", classpath, MAIN, jvm, jobArgs);
    } catch (IOException e) {
      throw new UserException("Cannot run the batch job: cannot read " + sparkClasspath + " (" + e.getMessage() + ")");
    }
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
      description = {
        "Compute a group's tiles and its daily snapshot table (every feature as of each day's end) for the",
        "UTC days [from, to] into Iceberg (<namespace>.<group>__tiles and <namespace>.<group>, partitioned by day).",
        "Rerunning a range replaces exactly that range in one commit; a failed run leaves the previous snapshot.",
        "Source rows that do not fit the schema are counted and written to <warehouse>/rejects with the reason."
      })
  static final class Backfill implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--from", required = true, paramLabel = "DAY", description = "First day (UTC), e.g. 2001-01-01.")
    String from;

    @Option(names = "--to", required = true, paramLabel = "DAY", description = "Last day (UTC), inclusive.")
    String to;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("backfill"));
      args.addAll(target.args());
      option(args, "--from", from);
      option(args, "--to", to);
      return run(dir, args);
    }
  }

  @Command(name = "training-set", mixinStandardHelpOptions = true,
      description = {
        "Build a training set: for every spine row its keys, time and label, and every feature of the service",
        "as of that row's time (point-in-time correct: an event at that time is not included), derived features",
        "included. --out ending .parquet or .csv writes a file; anything else is an Iceberg table",
        "(default namespace training), partitioned by day of the spine time."
      })
  static final class TrainingSet implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", description = "The training set.")
    String name;

    @Option(names = "--spine", paramLabel = "PATH", description = "A CSV/Parquet/JSON file of spine rows instead of the spine source.")
    String spine;

    @Option(names = "--out", required = true, paramLabel = "TABLE|PATH", description = "An Iceberg table or a .parquet/.csv path.")
    String out;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("training-set", name));
      option(args, "--spine", spine);
      option(args, "--out", out);
      return run(dir, args);
    }
  }

  @Command(name = "materialize", mixinStandardHelpOptions = true,
      description = {
        "Write the backfilled tiles of the last max-window before --at (default now) to Redis through the",
        "online store's writer, so a new group is served before its stream has run a full window."
      })
  static final class Materialize implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Target target;

    @Option(names = "--at", paramLabel = "TIME", description = "The instant, e.g. 2001-07-01T00:00:00Z (default: now).")
    String at;

    @Option(names = "--dry-run", description = "Count the tiles without writing them.")
    boolean dryRun;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("materialize"));
      args.addAll(target.args());
      option(args, "--at", at);
      if (dryRun) {
        args.add("--dry-run");
      }
      return run(dir, args);
    }
  }

  @Command(name = "monitor", mixinStandardHelpOptions = true,
      description = {
        "Drift of a monitor's service features: the reference range of the monitor against the current days",
        "([--from, --to], default the last 'every' period of the daily snapshot tables), and per 'every' period",
        "inside it for drift over time. Rows go to the Iceberg table <namespace>.monitoring_drift (one per feature,",
        "slice and metric; a rerun replaces its slices), a self-contained HTML report and JSON by option.",
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

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
    Path dir;

    @Override
    public Integer call() {
      List<String> args = new ArrayList<>(List.of("monitor", monitor));
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
}
