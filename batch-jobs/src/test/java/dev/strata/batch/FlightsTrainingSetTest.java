package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.oracle.Oracle.TrainingRow;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training set of the bundled flights example computed by Spark against the oracle: Spark
 * builds all 20,000 spine rows; the oracle (which scans every event for every value) checks a
 * deterministic subset, every 10th spine row.
 */
class FlightsTrainingSetTest {
  @TempDir
  Path warehouse;

  @Test
  void trainingSetEqualsTheOracle() {
    CompiledPlan plan = FlightsSample.plan();
    List<Object[]> events = FlightsSample.events();
    JobContext ctx = SparkTestSession.context(FlightsSample.exampleDir(), warehouse);
    List<Row> rows = new TrainingSetJob(ctx).compute("delay_training", null).collectAsList();
    assertThat(rows).hasSize(events.size());

    List<Object[]> spine = new ArrayList<>();
    for (int i = 0; i < events.size(); i += 10) {
      spine.add(events.get(i));
    }
    List<TrainingRow> expected = new Oracle(plan).trainingSet("delay_training", Map.of("flights", events), spine);
    TrainingSetAssert.assertMatches(plan, "delay_training", rows, spine, expected, plan.source("flights").orElseThrow().schema());
  }

  /**
   * Request-time features offline (issue 20 item 3): delay_training_v2's service reads the request's
   * distance, which the training set takes from each spine flight's distance column.
   */
  @Test
  void requestTimeFeaturesTakeTheRequestFromTheSpineAndEqualTheOracle() {
    CompiledPlan plan = FlightsSample.plan();
    List<Object[]> events = FlightsSample.events();
    JobContext ctx = SparkTestSession.context(FlightsSample.exampleDir(), warehouse);
    List<Row> rows = new TrainingSetJob(ctx).compute("delay_training_v2", null).collectAsList();
    assertThat(rows).hasSize(events.size());
    List<Object[]> spine = new ArrayList<>();
    for (int i = 3; i < events.size(); i += 10) {
      spine.add(events.get(i));
    }
    List<TrainingRow> expected = new Oracle(plan).trainingSet("delay_training_v2", Map.of("flights", events), spine);
    assertThat(expected.stream().filter(r -> r.features().get("route_delay_per_100_miles") != null).count())
        .as("request-time values that are not NULL").isGreaterThan(spine.size() / 2);
    TrainingSetAssert.assertMatches(plan, "delay_training_v2", rows, spine, expected,
        plan.source("flights").orElseThrow().schema());
  }
}
