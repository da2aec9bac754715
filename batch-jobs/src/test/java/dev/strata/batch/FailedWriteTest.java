package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.testing.FlightsSample;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.UUID;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.functions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A backfill write that dies midway (a task fails after Spark started writing data files)
 * commits nothing: readers still see the previous snapshot, and time travel to it works.
 */
class FailedWriteTest {
  @TempDir
  Path warehouse;

  @Test
  void aFailedRewriteLeavesThePreviousSnapshot() {
    JobContext base = SparkTestSession.context(FlightsSample.exampleDir(), warehouse);
    String name = "fail_" + UUID.randomUUID().toString().substring(0, 8);
    StrataSpark.registerCatalog(base.spark(), base.config(), name);
    JobContext ctx = new JobContext(base.spark(), base.config(), base.planRef(), name, Progress.silent());
    new BackfillJob(ctx).run("destination_delays", LocalDate.parse("2001-01-08"), LocalDate.parse("2001-01-09"));
    String table = ctx.table("destination_delays");
    long rows = ctx.spark().table(table).count();
    long snapshot = ctx.spark().sql("SELECT snapshot_id FROM " + table + ".snapshots ORDER BY committed_at DESC LIMIT 1")
        .first().getLong(0);

    Dataset<Row> current = ctx.spark().table(table);
    Dataset<Row> failing = current.map((MapFunction<Row, Row>) r -> {
      if (r.getString(0).compareTo("M") > 0) {
        throw new IllegalStateException("killed midway");
      }
      return r;
    }, Encoders.row(current.schema()));
    String version = ctx.plan().group("destination_delays").orElseThrow().version();
    assertThatThrownBy(() -> IcebergWrites.replaceRange(ctx, table, failing, functions.col("day"), 2, functions.lit(true),
        functions.col("day"), version))
        .isInstanceOf(JobException.class).hasMessageStartingWith("Cannot write ");

    assertThat(ctx.spark().table(table).count()).isEqualTo(rows);
    assertThat(ctx.spark().sql("SELECT snapshot_id FROM " + table + ".snapshots ORDER BY committed_at DESC LIMIT 1")
        .first().getLong(0)).isEqualTo(snapshot);
    assertThat(ctx.spark().sql("SELECT count(*) FROM " + table + " VERSION AS OF " + snapshot).first().getLong(0)).isEqualTo(rows);
  }
}
