package dev.strata.stream;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.time.Durations;
import dev.strata.online.TileWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code strata stream}: the Flink job that keeps the online tiles of a project's sources fresh.
 * The same main runs under {@code flink run} (the cluster's environment) and as a plain Java
 * process (a local MiniCluster). Bad input ends with one sentence on stderr and exit code 2;
 * a failed job with one sentence and exit code 1.
 */
public final class StreamJob {
  private StreamJob() {}

  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
      System.out.println(Options.usage());
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println("Run with --help for the options.");
      System.exit(2);
      return;
    }
    try {
      run(options);
    } catch (DefinitionException e) {
      e.diagnostics().forEach(d -> System.err.println(d));
      System.exit(2);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("Cannot run the stream job: " + rootMessage(e));
      System.exit(1);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage() == null ? t.toString() : t.getMessage();
  }

  /** Builds and runs the job; returns when it ends (bounded inputs) or fails. */
  static void run(Options o) throws Exception {
    Path dir = o.project.toAbsolutePath().normalize();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("Cannot stream: project directory " + dir + " does not exist");
    }
    CompiledPlan plan = ProjectSnapshot.compile(dir);
    ProjectSnapshot project = ProjectSnapshot.read(dir);
    StrataConfig config = StrataConfig.load(dir);

    List<String> sources = new ArrayList<>();
    if (o.all) {
      for (CompiledSource s : plan.sources()) {
        if (!StreamPipeline.onlineGroups(plan, s.name()).isEmpty() && (s.stream() != null || o.file != null)) {
          sources.add(s.name());
        }
      }
      if (sources.isEmpty()) {
        throw new IllegalArgumentException("Cannot stream: no source of the project has a stream and an online feature group");
      }
    } else {
      CompiledSource s = plan.source(o.source).orElseThrow(() -> new IllegalArgumentException(
          "Cannot stream source '" + o.source + "': no such source (sources: "
              + String.join(", ", plan.sources().stream().map(CompiledSource::name).toList()) + ")"));
      sources.add(s.name());
    }
    if (o.file != null && sources.size() > 1) {
      throw new IllegalArgumentException("Cannot replay one --file into " + sources.size() + " sources: name one with --source");
    }

    String redisUrl = o.redis != null ? o.redis : config.redisUrl();
    if (!"discard".equals(o.sink)) {
      RedisTileWriterFactory.checkReachable(redisUrl);
    }

    Configuration flink = new Configuration();
    o.flinkConf.forEach(flink::setString);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    if (o.parallelism > 0) {
      env.setParallelism(o.parallelism);
    }
    env.enableCheckpointing(o.checkpointIntervalMs, CheckpointingMode.EXACTLY_ONCE);

    java.util.Map<String, String> deadLetterTargets = new java.util.LinkedHashMap<>();
    for (String name : sources) {
      CompiledSource source = plan.source(name).orElseThrow();
      StreamInput input = input(o, dir, plan.project(), source, config);
      if (input instanceof StreamInput.Kafka k) {
        KafkaCheck.checkTopic(name, k, 10_000);
      }
      TileWriter.Factory tiles = "discard".equals(o.sink)
          ? DiscardingTileWriter.factory()
          : o.sinkMirror ? RedisTileWriterFactory.of(project, redisUrl).mirroring() : RedisTileWriterFactory.of(project, redisUrl);
      DeadLetterSink.Factory deadLetters;
      Object target = deadLetterTarget(o, dir, source);
      deadLetterTargets.put(name, target instanceof String topic ? "Kafka topic " + topic : target.toString());
      if (target instanceof String topic) {
        // The source's own brokers when it reads Kafka: a dead letter stays beside its record.
        String servers = input instanceof StreamInput.Kafka k ? k.bootstrapServers()
            : o.bootstrapServers != null ? o.bootstrapServers : config.kafkaBootstrapServers();
        KafkaCheck.checkTopic("send the dead letters of source '" + name + "'", servers, topic, 10_000);
        deadLetters = KafkaDeadLetterSink.factory(servers, topic);
      } else {
        deadLetters = FileDeadLetterSink.factory((Path) target, name);
      }
      StreamPipeline.add(env, project, name, input, tiles, deadLetters, o.flushIntervalMs,
          new StreamPipeline.LedgerTarget(plan.project(), config.catalogUri(), config.catalogUser(), config.catalogPassword()));
      System.err.println("strata stream: " + name + " from " + describe(input) + " → "
          + ("discard".equals(o.sink) ? "nowhere (discard)" : "Redis") + ", groups "
          + String.join(", ", StreamPipeline.onlineGroups(plan, name)));
    }
    org.apache.flink.api.common.JobExecutionResult result = env.execute("strata stream " + String.join(",", sources));
    if (result != null && !result.isJobExecutionResult()) {
      // `flink run -d`: the job runs on in the cluster and has no result here (its accumulators would throw)
      System.out.println("strata stream: submitted job " + result.getJobID() + " (detached): it runs in the cluster;"
          + " follow it in Flink's web UI or REST API");
      return;
    }
    // a bounded run (a file, a bounded Kafka read) ends here: say what it did
    if (result != null && result.getAllAccumulatorResults() != null) {
      for (String name : sources) {
        System.out.println(RunCounters.summary(result, name, deadLetterTargets.get(name)));
      }
    }
  }

  private static String describe(StreamInput input) {
    if (input instanceof StreamInput.Kafka k) {
      return "Kafka topic " + k.topic() + " at " + k.bootstrapServers() + (k.bounded() ? " (bounded)" : "");
    }
    StreamInput.File f = (StreamInput.File) input;
    return "file " + f.path() + (f.speed() > 0 ? " at " + f.speed() + "x" : " as fast as possible");
  }

  static StreamInput input(Options o, Path dir, String projectName, CompiledSource source, StrataConfig config) {
    Source.Stream s = source.stream();
    if (o.file != null || (s != null && s.filePath() != null && o.topic == null)) {
      Path file = o.file != null ? o.file : dir.resolve(s.filePath());
      double speed = o.speed != null ? o.speed : s != null && s.speed() != null ? s.speed() : 0;
      String format = o.format != null ? o.format : s != null && s.filePath() != null && o.file == null ? s.format() : null;
      return new StreamInput.File(file.toAbsolutePath().normalize(), format, speed);
    }
    if (s == null && o.topic == null) {
      throw new IllegalArgumentException("Cannot stream source '" + source.name()
          + "': it declares no stream (add stream: to the source, or pass --file or --topic)");
    }
    String topic = o.topic != null ? o.topic : s.kafkaTopic();
    String servers = o.bootstrapServers != null ? o.bootstrapServers
        : s != null && s.bootstrapServers() != null ? s.bootstrapServers() : config.kafkaBootstrapServers();
    String group = o.groupId != null ? o.groupId
        : s != null && s.groupId() != null ? s.groupId() : "strata-" + projectName + "-" + source.name();
    String format = o.format != null ? o.format : s != null ? s.format() : "json";
    return new StreamInput.Kafka(servers, topic, group, format, o.bounded);
  }

  /**
   * Where a source's dead letters go: a Kafka topic (a String) or a folder (a Path). The job's
   * options win over the source's {@code dead_letter}; the default is .strata/dead-letters.
   */
  static Object deadLetterTarget(Options o, Path projectDir, CompiledSource source) {
    if (o.deadLetterTopic != null) {
      return o.deadLetterTopic;
    }
    if (o.deadLetters != null) {
      return o.deadLetters;
    }
    var stream = source.stream();
    if (stream != null && stream.deadLetterTopic() != null) {
      return stream.deadLetterTopic();
    }
    if (stream != null && stream.deadLetterPath() != null) {
      return projectDir.resolve(stream.deadLetterPath()).normalize();
    }
    return projectDir.resolve(".strata/dead-letters");
  }

  /**
   * The command line, declared once: picocli prints it as {@code --help} and {@code strata stream}
   * forwards its options untouched (a deploy test holds the two help texts together).
   */
  @Command(name = "strata-stream", mixinStandardHelpOptions = true, sortOptions = false,
      usageHelpWidth = 120,
      description = "Strata's Flink job: keeps the online tiles of a project's sources fresh in Redis.")
  static final class Options {
    @Option(names = "--project", paramLabel = "DIR", description = "The project folder (definitions and strata.yaml); required.")
    Path project;

    @Option(names = "--source", paramLabel = "NAME", description = "The source to stream (or --all).")
    String source;

    @Option(names = "--all", description = "Every source with a stream and an online feature group.")
    boolean all;

    @Option(names = "--file", paramLabel = "PATH",
        description = "Replay this file (csv, json lines, parquet) in event-time order instead of the source's stream.")
    Path file;

    @Option(names = "--format", paramLabel = "F",
        description = "json, avro, csv or parquet (default: the source's, or the file's extension).")
    String format;

    @Option(names = "--speed", paramLabel = "X",
        description = "Replay at X times event time (0 = as fast as possible; default: the source's, else 0).")
    String speedText;

    @Option(names = "--bootstrap-servers", paramLabel = "H:P",
        description = "Kafka brokers (default: the source's, else strata.yaml / STRATA_KAFKA_BOOTSTRAP_SERVERS).")
    String bootstrapServers;

    @Option(names = "--topic", paramLabel = "NAME", description = "Kafka topic (default: the source's).")
    String topic;

    @Option(names = "--group-id", paramLabel = "ID",
        description = "Kafka consumer group (default: the source's, else strata-<project>-<source>).")
    String groupId;

    @Option(names = "--bounded", description = "Stop at the Kafka offsets that are latest when the job starts.")
    boolean bounded;

    @Option(names = "--redis", paramLabel = "URL", description = "Online store (default: strata.yaml / STRATA_REDIS_URL).")
    String redis;

    @Option(names = "--sink", paramLabel = "redis|discard",
        description = "Where tiles go (default redis; discard measures the job without Redis).")
    String sink = "redis";

    @Option(names = "--sink-mirror",
        description = "Write tiles without reading Redis first, from an image of each hash the sink keeps; only when this"
            + " job is the only writer of its group versions (a concurrent materialize is seen up to 60 s late).")
    boolean sinkMirror;

    @Option(names = "--dead-letters", paramLabel = "DIR", description = "Dead-letter files (default <project>/.strata/dead-letters).")
    Path deadLetters;

    @Option(names = "--dead-letter-topic", paramLabel = "T",
        description = "Dead letters to this Kafka topic instead (the source's brokers, else --bootstrap-servers or"
            + " strata.yaml): the record's bytes, with source, reason, topic, partition, offset headers.")
    String deadLetterTopic;

    @Option(names = "--checkpoint-interval", paramLabel = "D",
        description = "E.g. 10s (default 10s); state backend, directories etc. by -Dkey=value.")
    String checkpointIntervalText;

    @Option(names = "--flush-interval", paramLabel = "D", description = "Longest wait before changed tiles are written (default 200ms).")
    String flushIntervalText;

    @Option(names = "--parallelism", paramLabel = "N", description = "Default: Flink's.")
    String parallelismText;

    @Option(names = "-D", paramLabel = "key=value", mapFallbackValue = "",
        description = "Flink configuration, e.g. -Dstate.backend.type=rocksdb -Dexecution.checkpointing.dir=file:///tmp/cp")
    Map<String, String> flinkConf = new LinkedHashMap<>();

    Double speed;
    long checkpointIntervalMs = 10_000;
    long flushIntervalMs = StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS;
    int parallelism;

    /** The usage text, as {@code --help} prints it. */
    static String usage() {
      return new CommandLine(new Options()).getUsageMessage(CommandLine.Help.Ansi.OFF);
    }

    /** Parses a command line; a mistake is an IllegalArgumentException with one sentence. */
    static Options parse(String[] args) {
      Options o = new Options();
      CommandLine cl = new CommandLine(o);
      try {
        cl.parseArgs(args);
      } catch (CommandLine.UnmatchedArgumentException e) {
        String first = e.getUnmatched().isEmpty() ? "" : e.getUnmatched().get(0);
        throw new IllegalArgumentException("Cannot parse the command line: "
            + (first.startsWith("-") ? "unknown option " + first : "unexpected argument '" + first + "'"));
      } catch (CommandLine.ParameterException e) {
        throw new IllegalArgumentException("Cannot parse the command line: " + e.getMessage());
      }
      if (o.project == null) {
        throw new IllegalArgumentException("Cannot parse the command line: --project DIR is required");
      }
      if (o.all == (o.source != null)) {
        throw new IllegalArgumentException("Cannot parse the command line: give exactly one of --source NAME and --all");
      }
      if (!o.sink.equals("redis") && !o.sink.equals("discard")) {
        throw new IllegalArgumentException("Cannot parse the command line: --sink must be redis or discard, got '" + o.sink + "'");
      }
      if (o.deadLetters != null && o.deadLetterTopic != null) {
        throw new IllegalArgumentException("Cannot parse the command line: give at most one of --dead-letters and --dead-letter-topic");
      }
      if (o.speedText != null) {
        o.speed = number("--speed", o.speedText);
        if (o.speed < 0) {
          throw new IllegalArgumentException("Cannot parse the command line: --speed must be 0 or more");
        }
      }
      if (o.checkpointIntervalText != null) {
        o.checkpointIntervalMs = millis("--checkpoint-interval", o.checkpointIntervalText);
      }
      if (o.flushIntervalText != null) {
        o.flushIntervalMs = millis("--flush-interval", o.flushIntervalText);
      }
      if (o.parallelismText != null) {
        o.parallelism = (int) (double) number("--parallelism", o.parallelismText);
      }
      return o;
    }

    private static Double number(String option, String v) {
      try {
        return Double.valueOf(v);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("Cannot parse the command line: " + option + " expects a number, got '" + v + "'");
      }
    }

    private static long millis(String option, String v) {
      try {
        if (v.endsWith("ms")) {
          return Long.parseLong(v.substring(0, v.length() - 2));
        }
        return Durations.parseMicros(v) / 1000;
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Cannot parse the command line: " + option + " expects a duration such as 200ms or 10s, got '" + v + "'");
      }
    }
  }
}
