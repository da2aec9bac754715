package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The flights sample replayed from its CSV file through the whole job on a MiniCluster: every
 * tile written is byte-identical to GroupTiler's, and the values assembled from them are the
 * oracle's.
 */
class FileReplayJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final CompiledPlan PLAN = FlightsSample.plan();
  static final List<Object[]> EVENTS = FlightsSample.events();

  @Test
  void csvReplayWritesTheTilesBatchBuilds() throws Exception {
    ProjectFiles project = ProjectFiles.read(FlightsSample.exampleDir());
    Path csv = FlightsSample.exampleDir().resolve("data/flights-20k.csv");
    Collected out = new Collected();

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamPipeline.add(env, project, "flights", new StreamInput.File(csv, "csv", 0), out.tileSink(), out.deadLetterSink(),
        StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("file replay test");

    assertThat(out.deadLetters).isEmpty();
    Expected.assertSameTiles(out.tiles, Expected.tiles(PLAN, "flights", EVENTS));
    assertThat(Expected.assertOracleValues(PLAN, "flights", out.tiles, EVENTS, 15)).isGreaterThan(100);
  }

  @Test
  void binaryFormatsAreNotReplayedFromFiles() {
    Path csv = FlightsSample.exampleDir().resolve("data/flights-20k.csv");
    Collected out = new Collected();
    assertThatThrownBy(() -> StreamPipeline.add(StreamExecutionEnvironment.getExecutionEnvironment(),
        ProjectFiles.read(FlightsSample.exampleDir()), "flights", new StreamInput.File(csv, "avro", 0), out.tileSink(),
        out.deadLetterSink(), StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot replay " + csv + " as avro: files replay as json or csv");
  }
}
