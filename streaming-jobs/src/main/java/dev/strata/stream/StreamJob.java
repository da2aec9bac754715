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

/**
 * {@code strata stream}: the Flink job that keeps the online tiles of a project's sources fresh.
 * The same main runs under {@code flink run} (the cluster's environment) and as a plain Java
 * process (a local MiniCluster). Bad input ends with one sentence on stderr and exit code 2;
 * a failed job with one sentence and exit code 1.
 */
public final class StreamJob {
  static final String USAGE = String.join("\n",
      "usage: StreamJob --project DIR (--source NAME | --all) [options]",
      "  --file PATH              replay this file (csv, json lines, parquet) in event-time order instead of the source's stream",
      "  --format F               json, avro, csv or parquet (default: the source's, or the file's extension)",
      "  --speed X                replay at X times event time (0 = as fast as possible; default: the source's, else 0)",
      "  --bootstrap-servers H:P  Kafka brokers (default: the source's, else strata.yaml / STRATA_KAFKA_BOOTSTRAP_SERVERS)",
      "  --topic NAME             Kafka topic (default: the source's)",
      "  --group-id ID            Kafka consumer group (default: the source's, else strata-<project>-<source>)",
      "  --bounded                stop at the Kafka offsets that are latest when the job starts",
      "  --redis URL              online store (default: strata.yaml / STRATA_REDIS_URL)",
      "  --sink redis|discard     where tiles go (default redis; discard measures the job without Redis)",
      "  --dead-letters DIR       dead-letter files (default <project>/.strata/dead-letters)",
      "  --dead-letter-topic T    dead letters to this Kafka topic instead (the source's brokers, else --bootstrap-servers",
      "                           or strata.yaml): the record's bytes, with source, reason, topic, partition, offset headers",
      "  --checkpoint-interval D  e.g. 10s (default 10s); state backend, directories etc. by -Dkey=value",
      "  --flush-interval D       longest wait before changed tiles are written (default 200ms)",
      "  --parallelism N          default: Flink's",
      "  -Dkey=value              Flink configuration, e.g. -Dstate.backend.type=rocksdb",
      "                           -Dexecution.checkpointing.dir=file:///tmp/strata-checkpoints");

  private StreamJob() {}

  public static void main(String[] args) {
    if (java.util.Arrays.asList(args).contains("--help") || java.util.Arrays.asList(args).contains("-h")) {
      System.out.println(USAGE);
      return;
    }
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.err.println(USAGE);
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
          : RedisTileWriterFactory.of(project, redisUrl);
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

  /** The command line. */
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

  static final class Options {
    Path project;
    String source;
    boolean all;
    Path file;
    String format;
    Double speed;
    String bootstrapServers;
    String topic;
    String groupId;
    boolean bounded;
    String redis;
    String sink = "redis";
    Path deadLetters;
    String deadLetterTopic;
    long checkpointIntervalMs = 10_000;
    long flushIntervalMs = StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS;
    int parallelism;
    final Map<String, String> flinkConf = new LinkedHashMap<>();

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        if (a.startsWith("-D") && a.contains("=")) {
          o.flinkConf.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
          continue;
        }
        switch (a) {
          case "--all" -> o.all = true;
          case "--bounded" -> o.bounded = true;
          default -> {
            if (i + 1 >= args.length) {
              throw new IllegalArgumentException("Cannot parse the command line: " + a + " needs a value");
            }
            String v = args[++i];
            switch (a) {
              case "--project" -> o.project = Path.of(v);
              case "--source" -> o.source = v;
              case "--file" -> o.file = Path.of(v);
              case "--format" -> o.format = v;
              case "--speed" -> o.speed = number(a, v);
              case "--bootstrap-servers" -> o.bootstrapServers = v;
              case "--topic" -> o.topic = v;
              case "--group-id" -> o.groupId = v;
              case "--redis" -> o.redis = v;
              case "--sink" -> {
                if (!v.equals("redis") && !v.equals("discard")) {
                  throw new IllegalArgumentException("Cannot parse the command line: --sink must be redis or discard, got '" + v + "'");
                }
                o.sink = v;
              }
              case "--dead-letters" -> o.deadLetters = Path.of(v);
              case "--dead-letter-topic" -> o.deadLetterTopic = v;
              case "--checkpoint-interval" -> o.checkpointIntervalMs = millis(a, v);
              case "--flush-interval" -> o.flushIntervalMs = millis(a, v);
              case "--parallelism" -> o.parallelism = (int) (double) number(a, v);
              default -> throw new IllegalArgumentException("Cannot parse the command line: unknown option " + a);
            }
          }
        }
      }
      if (o.project == null) {
        throw new IllegalArgumentException("Cannot parse the command line: --project DIR is required");
      }
      if (o.all == (o.source != null)) {
        throw new IllegalArgumentException("Cannot parse the command line: give exactly one of --source NAME and --all");
      }
      if (o.deadLetters != null && o.deadLetterTopic != null) {
        throw new IllegalArgumentException("Cannot parse the command line: give at most one of --dead-letters and --dead-letter-topic");
      }
      if (o.speed != null && o.speed < 0) {
        throw new IllegalArgumentException("Cannot parse the command line: --speed must be 0 or more");
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
