package dev.strata.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.monitoring.testing.FlightsColumns;
import dev.strata.monitoring.profile.ColumnProfile;
import dev.strata.monitoring.profile.ColumnProfileBuilder;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Sketch mode stays within the error bound it states, against exact mode. */
class SketchDriftTest {
  @Test
  void largeNormalShiftWithinStatedBounds() {
    Random r = new Random(5);
    double[] ref = new double[200_000];
    double[] cur = new double[150_000];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = r.nextGaussian() * 2 + 10;
    }
    for (int i = 0; i < cur.length; i++) {
      cur[i] = r.nextGaussian() * 2 + 10.8; // 0.4σ: clear of every status boundary
    }
    FeatureDrift exact = ExactDrift.withDefaults().numeric("x", ref, cur);
    FeatureDrift sketch = SketchDrift.withDefaults().between(profile(ref), profile(cur));
    assertThat(sketch.mode()).isEqualTo(Mode.SKETCH);
    double eps = sketch.errorBound();
    assertThat(eps).isGreaterThan(0).isLessThan(0.05);
    assertThat(Math.abs(sketch.metric(Metrics.KS) - exact.metric(Metrics.KS))).isLessThanOrEqualTo(eps);
    double span = Math.max(max(ref), max(cur)) - Math.min(min(ref), min(cur));
    assertThat(Math.abs(sketch.metric(Metrics.WASSERSTEIN) - exact.metric(Metrics.WASSERSTEIN)))
        .isLessThanOrEqualTo(eps * span);
    // PSI has no stated bound (its bins are KLL's, not interpolated); over 300 sketch draws of
    // this case the largest gap was 0.029 on a PSI of about 0.16: allow twice that
    assertThat(sketch.metric(Metrics.PSI)).isCloseTo(exact.metric(Metrics.PSI), org.assertj.core.data.Offset.offset(0.06));
    assertThat(sketch.status()).isEqualTo(exact.status());
  }

  @Test
  void flightsSketchAgreesWithExact() throws Exception {
    FlightsColumns all = FlightsColumns.read();
    FlightsColumns jan = all.filter("date", d -> d.startsWith("2001-01"));
    FlightsColumns mar = all.filter("date", d -> d.startsWith("2001-03"));
    FeatureDrift exact = ExactDrift.withDefaults().numeric("delay", jan.doubles("delay"), mar.doubles("delay"));
    FeatureDrift sketch = SketchDrift.withDefaults().between(profile(jan.doubles("delay")), profile(mar.doubles("delay")));
    assertThat(Math.abs(sketch.metric(Metrics.KS) - exact.metric(Metrics.KS))).isLessThanOrEqualTo(sketch.errorBound());
    double[] both = java.util.stream.DoubleStream.concat(java.util.Arrays.stream(jan.doubles("delay")),
        java.util.Arrays.stream(mar.doubles("delay"))).toArray();
    double span = max(both) - min(both);
    // the stated bound, ε·(max − min), in reference standard deviations
    assertThat(sketch.metric(Metrics.WASSERSTEIN_NORMED)).isCloseTo(exact.metric(Metrics.WASSERSTEIN_NORMED),
        org.assertj.core.data.Offset.offset(sketch.errorBound() * span / (exact.metric(Metrics.WASSERSTEIN) / exact.metric(Metrics.WASSERSTEIN_NORMED))));

    // categoricals: fewer distinct airports than the map holds, so the counts are exact
    ColumnProfile o1 = categorical(jan.strings("origin"));
    ColumnProfile o2 = categorical(mar.strings("origin"));
    FeatureDrift c = SketchDrift.withDefaults().between(o1, o2);
    FeatureDrift e = ExactDrift.withDefaults().categorical("origin", jan.strings("origin"), mar.strings("origin"));
    assertThat(c.errorBound()).isZero();
    assertThat(c.bins()).isEqualTo(e.bins());
    assertThat(c.metric(Metrics.CHI_SQUARE)).isCloseTo(e.metric(Metrics.CHI_SQUARE), org.assertj.core.data.Offset.offset(1e-9));
  }

  static ColumnProfile profile(double[] values) {
    ColumnProfileBuilder b = ColumnProfile.numeric("x");
    for (double v : values) {
      b.add(v);
    }
    return b.build();
  }

  static ColumnProfile categorical(String[] values) {
    ColumnProfileBuilder b = ColumnProfile.categorical("origin");
    for (String v : values) {
      b.add(v);
    }
    return b.build();
  }

  private static double max(double[] v) {
    return java.util.Arrays.stream(v).max().getAsDouble();
  }

  private static double min(double[] v) {
    return java.util.Arrays.stream(v).min().getAsDouble();
  }
}
