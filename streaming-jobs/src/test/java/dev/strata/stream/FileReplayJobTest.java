package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flights sample replayed from its CSV file, and from a Parquet file, through the whole job on
 * a MiniCluster: every tile written is byte-identical to GroupTiler's, and the values assembled
 * from them are the oracle's.
 */
class FileReplayJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final CompiledPlan PLAN = FlightsSample.plan();
  static final List<Object[]> EVENTS = FlightsSample.events();

  @Test
  void csvReplayWritesTheTilesBatchBuilds() throws Exception {
    ProjectSnapshot project = ProjectSnapshot.read(FlightsSample.exampleDir());
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

  /**
   * The same from a Parquet file of typed columns (as Spark writes them) whose rows are shuffled,
   * with 1% rows without an event time among them: the replay sorts by event time, the rows
   * without one are dead letters, the tiles are GroupTiler's and the values the oracle's.
   */
  @Test
  void parquetReplayWritesTheTilesBatchBuilds(@TempDir Path dir) throws Exception {
    ProjectSnapshot project = ProjectSnapshot.read(FlightsSample.exampleDir());
    Path csv = FlightsSample.exampleDir().resolve("data/flights-20k.csv");
    Path parquet = dir.resolve("flights.parquet");
    int garbage = EVENTS.size() / 100;
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("COPY (SELECT * FROM ("
          + "SELECT CAST(date AS TIMESTAMP) AS date, CAST(delay AS BIGINT) AS delay, CAST(distance AS BIGINT) AS distance,"
          + " origin, destination FROM read_csv('" + csv + "', header = true, all_varchar = true)"
          + " UNION ALL SELECT NULL, range, 500, 'ORD', 'JFK' FROM range(" + garbage + ")"
          + ") ORDER BY hash(date, origin, destination, delay)) TO '" + parquet + "' (FORMAT parquet, COMPRESSION zstd)");
    }
    Collected out = new Collected();

    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamPipeline.add(env, project, "flights", new StreamInput.File(parquet, null, 0), out.tileSink(), out.deadLetterSink(),
        StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("parquet replay test");

    assertThat(out.deadLetters).hasSize(garbage).allSatisfy(l -> {
      assertThat(l.reason()).isEqualTo("malformed record: column 'date': no event time (missing or empty)");
      assertThat(l.record()).startsWith("flights.parquet#").contains("\"origin\":\"ORD\"");
    });
    Expected.assertSameTiles(out.tiles, Expected.tiles(PLAN, "flights", EVENTS));
    assertThat(Expected.assertOracleValues(PLAN, "flights", out.tiles, EVENTS, 15)).isGreaterThan(100);
  }

  @Test
  void binaryFormatsAreNotReplayedFromFiles() {
    Path csv = FlightsSample.exampleDir().resolve("data/flights-20k.csv");
    Collected out = new Collected();
    assertThatThrownBy(() -> StreamPipeline.add(StreamExecutionEnvironment.getExecutionEnvironment(),
        ProjectSnapshot.read(FlightsSample.exampleDir()), "flights", new StreamInput.File(csv, "avro", 0), out.tileSink(),
        out.deadLetterSink(), StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot replay " + csv + " as avro: files replay as json, csv or parquet");
  }
}
