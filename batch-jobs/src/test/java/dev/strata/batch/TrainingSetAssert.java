package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.oracle.Oracle.TrainingRow;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;

/** Compares Spark's training set rows with the oracle's, matching rows on their spine columns. */
final class TrainingSetAssert {
  private TrainingSetAssert() {}

  static void assertMatches(CompiledPlan plan, String trainingSet, List<Row> rows, List<Object[]> spine,
      List<TrainingRow> expected, Schema spineSchema) {
    CompiledService service = plan.service(plan.trainingSet(trainingSet).orElseThrow().service()).orElseThrow();
    Map<List<Object>, List<Row>> bySpine = new HashMap<>();
    for (Row r : rows) {
      List<Object> k = new ArrayList<>();
      for (String n : spineSchema.names()) {
        k.add(SparkTestSession.field(r, n));
      }
      bySpine.computeIfAbsent(k, x -> new ArrayList<>()).add(r);
    }
    int checked = 0;
    for (int i = 0; i < spine.size(); i++) {
      List<Object> k = Arrays.asList(spine.get(i));
      List<Row> matches = bySpine.get(k);
      assertThat(matches).as("spine row %s", k).isNotNull();
      TrainingRow want = expected.get(i);
      for (Row got : matches) {
        assertThat(SparkTestSession.field(got, "label")).as("label of %s", k).isEqualTo(want.label());
        for (var f : service.features()) {
          Object g = SparkTestSession.field(got, TrainingSetJob.columnName(f.qualifiedName()));
          assertThat(g).as("%s of %s", f.qualifiedName(), k).isEqualTo(want.features().get(f.qualifiedName()));
          checked++;
        }
        for (var d : service.derived()) {
          assertThat(SparkTestSession.field(got, d.name())).as("%s of %s", d.name(), k).isEqualTo(want.features().get(d.name()));
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(0);
  }
}
