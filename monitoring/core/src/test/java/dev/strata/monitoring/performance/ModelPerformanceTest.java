package dev.strata.monitoring.performance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Values worked out by hand in the comments: small cases where every step can be checked. */
class ModelPerformanceTest {

  @Test
  void numericScoresAgainstBinaryLabels() {
    // errors 0.75, -0.25, -0.5, 0.25: |e| sum 1.75, e² sum 0.5625 + 0.0625 + 0.25 + 0.0625 = 0.9375, e sum 0.25
    // at 0.5: 0.75 -> 1 vs 0 wrong, 0.75 -> 1 vs 1 right, 0.5 -> 1 vs 1 right, 0.25 -> 0 vs 0 right
    Map<String, Double> m = ModelPerformance.numeric(new double[] {0.75, 0.75, 0.5, 0.25}, new double[] {0, 1, 1, 0});
    assertThat(m.keySet()).containsExactly("mae", "rmse", "bias", "accuracy");
    assertThat(m.get("mae")).isEqualTo(1.75 / 4);
    assertThat(m.get("rmse")).isCloseTo(Math.sqrt(0.9375 / 4), within(1e-15));
    assertThat(m.get("bias")).isEqualTo(0.25 / 4);
    assertThat(m.get("accuracy")).isEqualTo(0.75);
  }

  @Test
  void numericLabelsOtherThanZeroAndOneHaveNoAccuracy() {
    // errors 1, -2, 4: mae 7/3, rmse sqrt(21/3) = sqrt 7, bias 1
    Map<String, Double> m = ModelPerformance.numeric(new double[] {11, 18, 34}, new double[] {10, 20, 30});
    assertThat(m.keySet()).containsExactly("mae", "rmse", "bias");
    assertThat(m.get("mae")).isCloseTo(7.0 / 3, within(1e-15));
    assertThat(m.get("rmse")).isCloseTo(Math.sqrt(7), within(1e-15));
    assertThat(m.get("bias")).isEqualTo(1.0);
    assertThat(ModelPerformance.numeric(new double[0], new double[0])).isEmpty();
  }

  @Test
  void classesAndComparison() {
    Map<String, Double> ref = ModelPerformance.categorical(new String[] {"late", "on time", "late", "late"},
        new String[] {"late", "on time", "on time", "late"});
    assertThat(ref).containsExactly(Map.entry("accuracy", 0.75));
    Map<String, Double> cur = ModelPerformance.categorical(new String[] {"late", "late"}, new String[] {"on time", "late"});
    ModelPerformance p = ModelPerformance.compare("m", ref, 4, cur, 2);
    ModelPerformance.Metric accuracy = p.metric("accuracy").orElseThrow();
    assertThat(accuracy.reference()).isEqualTo(0.75);
    assertThat(accuracy.current()).isEqualTo(0.5);
    assertThat(accuracy.change()).isEqualTo(-0.25);
    assertThat(accuracy.referenceRows()).isEqualTo(4);

    // a slice without labelled pairs has no values, and no change
    ModelPerformance empty = ModelPerformance.compare("m", Map.of(), 0, cur, 2);
    assertThat(empty.metric("accuracy").orElseThrow().reference()).isNull();
    assertThat(empty.metric("accuracy").orElseThrow().change()).isNull();
    assertThatThrownBy(() -> ModelPerformance.numeric(new double[1], new double[2]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot measure a model: 1 predictions but 2 labels");
  }
}
