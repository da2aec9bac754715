package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import java.nio.file.Path;
import java.util.Map;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The command line: what each option selects, and one sentence for each mistake. */
class StreamJobOptionsTest {
  static final Path DIR = FlightsSample.exampleDir();
  static final CompiledPlan PLAN = FlightsSample.plan();

  static StreamInput input(String... args) {
    StreamJob.Options o = StreamJob.Options.parse(args);
    StrataConfig config = StrataConfig.load(DIR, Map.of());
    return StreamJob.input(o, DIR, PLAN.project(), PLAN.source("flights").orElseThrow(), config);
  }

  @Test
  void theSourceStreamIsKafkaWithDefaultsFromTheProject() {
    assertThat(input("--project", DIR.toString(), "--source", "flights"))
        .isEqualTo(new StreamInput.Kafka("127.0.0.1:9092", "flights", "strata-flights-flights", "json", false));
    assertThat(input("--project", DIR.toString(), "--source", "flights", "--topic", "t", "--bootstrap-servers", "b:1",
        "--group-id", "g", "--bounded"))
        .isEqualTo(new StreamInput.Kafka("b:1", "t", "g", "json", true));
  }

  @Test
  void aFileReplaysInsteadOfTheStream() {
    StreamInput in = input("--project", DIR.toString(), "--source", "flights", "--file", "x/../data.csv", "--speed", "60");
    assertThat(in).isEqualTo(new StreamInput.File(Path.of("data.csv").toAbsolutePath(), null, 60));
  }

  @Test
  void mistakesAreOneSentence() {
    assertThatThrownBy(() -> StreamJob.Options.parse(new String[] {"--source", "flights"}))
        .hasMessage("Cannot parse the command line: --project DIR is required");
    assertThatThrownBy(() -> StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--source", "s"}))
        .hasMessage("Cannot parse the command line: give exactly one of --source NAME and --all");
    assertThatThrownBy(() -> StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--checkpoint-interval", "soon"}))
        .hasMessage("Cannot parse the command line: --checkpoint-interval expects a duration such as 200ms or 10s, got 'soon'");
    assertThatThrownBy(() -> StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--sink", "s3"}))
        .hasMessage("Cannot parse the command line: --sink must be redis or discard, got 's3'");
    assertThatThrownBy(() -> StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--bogus", "1"}))
        .hasMessage("Cannot parse the command line: unknown option --bogus");
  }

  @Test
  void flinkSettingsPassThrough() {
    StreamJob.Options o = StreamJob.Options.parse(new String[] {"--project", "p", "--all", "-Dstate.backend.type=rocksdb",
        "--checkpoint-interval", "30s", "--flush-interval", "50ms"});
    assertThat(o.flinkConf).containsEntry("state.backend.type", "rocksdb");
    assertThat(o.checkpointIntervalMs).isEqualTo(30_000);
    assertThat(o.flushIntervalMs).isEqualTo(50);
  }

  @Test
  void deadLettersGoToAFolderOrATopic() {
    assertThat(StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--dead-letter-topic", "dead"}).deadLetterTopic)
        .isEqualTo("dead");
    assertThatThrownBy(() -> StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--dead-letters", "d",
        "--dead-letter-topic", "dead"}))
        .hasMessage("Cannot parse the command line: give at most one of --dead-letters and --dead-letter-topic");
  }

  @Test
  void theSourcesDeadLetterSettingAppliesUnlessTheJobSaysOtherwise() {
    Path dir = Path.of("/projects/p");
    dev.strata.dsl.model.Source.Stream kafka = dev.strata.dsl.model.Source.Stream.kafka("events", "json");
    java.util.function.BiFunction<String, String, dev.strata.dsl.plan.CompiledPlan.CompiledSource> source = (topic, path) ->
        new dev.strata.dsl.plan.CompiledPlan.CompiledSource("s", "ts", dev.strata.dsl.types.Schema.of(List.of()), null,
            new dev.strata.dsl.model.Source.Stream(kafka.kafkaTopic(), null, null, null, null, "json", null,
                kafka.allowedLatenessMicros(), kafka.maxOutOfOrdernessMicros(), kafka.idleTimeoutMicros(), topic, path));
    StreamJob.Options none = StreamJob.Options.parse(new String[] {"--project", "p", "--all"});
    assertThat(StreamJob.deadLetterTarget(none, dir, source.apply(null, null))).isEqualTo(dir.resolve(".strata/dead-letters"));
    assertThat(StreamJob.deadLetterTarget(none, dir, source.apply("events-dead", null))).isEqualTo("events-dead");
    assertThat(StreamJob.deadLetterTarget(none, dir, source.apply(null, "dead"))).isEqualTo(dir.resolve("dead"));
    StreamJob.Options topic = StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--dead-letter-topic", "t"});
    assertThat(StreamJob.deadLetterTarget(topic, dir, source.apply(null, "dead"))).isEqualTo("t");
    StreamJob.Options folder = StreamJob.Options.parse(new String[] {"--project", "p", "--all", "--dead-letters", "/tmp/d"});
    assertThat(StreamJob.deadLetterTarget(folder, dir, source.apply("events-dead", null))).isEqualTo(Path.of("/tmp/d"));
  }

  @Test
  void unreachableRedisIsOneSentence() {
    assertThatThrownBy(() -> RedisTileWriterFactory.checkReachable("redis://127.0.0.1:1?timeout_ms=300"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Cannot reach Redis at ");
  }
}
