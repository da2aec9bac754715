package dev.strata.monitoring.alert;

import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.report.DriftReport;
import dev.strata.monitoring.skew.FeatureSkew;
import dev.strata.monitoring.skew.SkewComparison;
import java.util.List;
import java.util.Random;

/** Two numeric features (one shifted) and a categorical one, drifted by the real core. */
final class AlertFixtures {
  private AlertFixtures() {}

  static DriftReport report(boolean withShift) {
    Random r = new Random(7);
    double[] ref = new double[2000];
    double[] same = new double[2000];
    double[] shifted = new double[2000];
    for (int i = 0; i < ref.length; i++) {
      ref[i] = r.nextGaussian();
      same[i] = r.nextGaussian();
      shifted[i] = r.nextGaussian() + (withShift ? 1.5 : 0);
    }
    same[3] = Double.NaN;
    String[] cref = new String[600];
    for (int i = 0; i < cref.length; i++) {
      cref[i] = "abc".substring(i % 3, i % 3 + 1);
    }
    ExactDrift core = new ExactDrift(Thresholds.defaults());
    List<FeatureDrift> features = List.of(core.numeric("g.stable", ref, same), core.numeric("g.shifted", ref, shifted),
        core.categorical("g.kind", cref, cref.clone()));
    FeatureSkew.Counter c = new FeatureSkew.Counter("g.stable", SkewComparison.withDefaults());
    c.compare(1L, 1L, "a", "{}", 0);
    c.compare(2L, 3L, "b", "{}", 0);
    c.notServed();
    return new DriftReport("Monitor m", "ref", "cur", features, List.of(), Thresholds.defaults(), "2001-01-01T00:00:00Z")
        .withSkew(new DriftReport.Skew("svc", "cur", 1e-9, List.of(c.build())));
  }
}
