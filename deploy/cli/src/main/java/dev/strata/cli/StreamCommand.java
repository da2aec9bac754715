package dev.strata.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Unmatched;

@Command(
    name = "stream",
    header = "Run the Flink tiling job of a source (or every source) into Redis.",
    mixinStandardHelpOptions = true,
    description = {
      "Run the Flink tiling job of a source (or of every source with --all) locally: its Kafka topic",
      "(or a replayed file, --file) becomes tiles of every online group, written to Redis as they change.",
      "Runs until stopped, or until a bounded input (--file, --bounded) ends. Other options go to the job:",
      "--file PATH --format json|avro|csv|parquet --speed X (0 = as fast as possible), --topic, --bootstrap-servers,",
      "--group-id, --bounded, --redis URL, --sink redis|discard, --sink-mirror, --dead-letters DIR | --dead-letter-topic T,",
      "--checkpoint-interval, --flush-interval, --parallelism, -Dflink.key=value.",
      "On a cluster: flink run strata-streaming-jobs.jar --project DIR --source NAME (the jar is in",
      "streaming-jobs/target of a checkout and in jobs/ of the distribution; see the README)."
    })
final class StreamCommand implements Callable<Integer> {
  static final JobLauncher.Job JOB = new JobLauncher.Job("stream job", "streaming-jobs", "strata-streaming-jobs.jar",
      "flink-lib", dev.strata.deploy.ManifestRenderer.STREAM_MAIN, List.of("-Xmx2g", "--add-opens=java.base/java.util=ALL-UNNAMED"));

  @ArgGroup(exclusive = true, multiplicity = "1")
  Which which;

  static final class Which {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "The event source.")
    String source;

    @Option(names = "--all", required = true, description = "Every source with online groups.")
    boolean all;
  }

  @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
  Path dir;

  @Unmatched List<String> jobOptions = new ArrayList<>();

  @Override
  public Integer call() {
    Projects.compile(dir); // mistakes in the definitions are reported here, as everywhere
    List<String> args = new ArrayList<>(List.of("--project", dir.toAbsolutePath().toString()));
    if (which.all) {
      args.add("--all");
    } else {
      args.add("--source");
      args.add(which.source);
    }
    args.addAll(jobOptions);
    return JobLauncher.run(JOB, args);
  }
}
