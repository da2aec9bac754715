package dev.strata.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ThresholdsTest {
  @Test
  void defaultsRestOnEffectSizesNotPValues() {
    Thresholds t = Thresholds.defaults();
    assertThat(t.levels()).containsKeys(Metrics.PSI, Metrics.JS_DISTANCE, Metrics.WASSERSTEIN_NORMED)
        .doesNotContainKeys(Metrics.KS_PVALUE, Metrics.CHI_SQUARE_PVALUE);
    assertThat(t.evaluate(Map.of(Metrics.PSI, 0.05)).status()).isEqualTo(Status.OK);
    assertThat(t.evaluate(Map.of(Metrics.PSI, 0.15)).status()).isEqualTo(Status.WARN);
    Thresholds.Verdict v = t.evaluate(Map.of(Metrics.PSI, 0.25, Metrics.NULL_RATE_CHANGE, -0.03));
    assertThat(v.status()).isEqualTo(Status.DRIFT);
    assertThat(v.reasons()).containsExactly("psi 0.2500 >= 0.2000", "null_rate_change -0.03000 >= 0.02000");
  }

  @Test
  void largeSamplesWithATinyShiftStayOk() {
    // a 0.01σ shift at n = 400k: KS p-value is tiny, the effect sizes say nothing happened
    Random r = new Random(1);
    double[] a = r.doubles(400_000).map(x -> r.nextGaussian()).toArray();
    double[] b = r.doubles(400_000).map(x -> r.nextGaussian() + 0.02).toArray();
    FeatureDrift d = ExactDrift.withDefaults().numeric("x", a, b);
    assertThat(d.metric(Metrics.KS_PVALUE)).isLessThan(1e-6);
    assertThat(d.status()).isEqualTo(Status.OK);
  }

  @Test
  void monitorConfigOverridesLevels() {
    Thresholds t = Thresholds.fromConfig(Map.of("psi", 0.3, "null_rate", 0.5, "js_distance_warn", 0.05));
    assertThat(t.levels().get(Metrics.PSI)).isEqualTo(new Thresholds.Level(0.1, 0.3));
    assertThat(t.levels().get(Metrics.NULL_RATE_CHANGE)).isEqualTo(new Thresholds.Level(0.02, 0.5));
    assertThat(t.levels().get(Metrics.JS_DISTANCE)).isEqualTo(new Thresholds.Level(0.05, 0.2));
    assertThat(Thresholds.fromConfig(Map.of("ks", 0.2)).levels().get(Metrics.KS)).isEqualTo(new Thresholds.Level(0.1, 0.2));
    assertThatThrownBy(() -> Thresholds.fromConfig(Map.of("ks_pvalue", 0.05)))
        .hasMessageStartingWith("Cannot use threshold 'ks_pvalue'");
  }

  @Test
  void compiledMonitorThresholdsApply() {
    var monitor = new dev.strata.dsl.plan.CompiledPlan.CompiledMonitor("delay_model_health", "delay_model_v1",
        null, "predictions.delay_model", "score", null, 0L, 1L, null, java.util.List.of("psi", "ks"),
        Map.of("psi", 0.3), java.util.List.of());
    assertThat(Thresholds.forMonitor(monitor).levels().get(Metrics.PSI)).isEqualTo(new Thresholds.Level(0.1, 0.3));
  }

  @Test
  void manyCategoriesOnSmallSlicesAreJudgedAboveTheirNoiseFloor() {
    // 230 equally likely categories, two samples of 7,000 from the same distribution
    Random r = new Random(3);
    String[] a = new String[7_000];
    String[] b = new String[7_000];
    for (int i = 0; i < a.length; i++) {
      a[i] = "c" + r.nextInt(230);
      b[i] = "c" + r.nextInt(230);
    }
    FeatureDrift same = ExactDrift.withDefaults().categorical("airport", a, b);
    assertThat(same.metric(Metrics.JS_DISTANCE)).isGreaterThan(0.08); // noise alone, near the 0.1 warn level
    assertThat(same.status()).isEqualTo(Status.OK);
    // a real move: a quarter of the traffic goes to one new hub
    for (int i = 0; i < b.length / 4; i++) {
      b[i] = "c0";
    }
    assertThat(ExactDrift.withDefaults().categorical("airport", a, b).status()).isEqualTo(Status.DRIFT);
  }
}
