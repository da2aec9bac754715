package dev.strata.monitoring.drift;

import dev.strata.monitoring.profile.ColumnProfile;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * Drift from two profiles' sketches, for slices too large to hold. The definitions are the
 * exact ones with each empirical CDF replaced by its KLL estimate F̂ (|F̂ − F| ≤ ε with 99%
 * confidence, ε = KLL's normalized PMF rank error, 0 while a sketch still holds every value):
 *
 * <ul>
 *   <li>bins: the reference sketch's 10%…90% quantiles (KLL's own, not interpolated); each bin
 *       share within ±2(ε_ref or ε_cur);
 *   <li>KS D within ±(ε_ref + ε_cur) — the {@code errorBound} of the result;
 *   <li>Wasserstein = ∫|F̂_ref − F̂_cur| dx within ±(ε_ref + ε_cur)·(max − min);
 *   <li>categoricals: frequent-items estimates, each count within ± the sketch's maximum
 *       error (0 below 0.75 × map size distinct values); errorBound = the two maximum errors
 *       as shares of their totals.
 * </ul>
 *
 * <p>Moments (stddev for the normed Wasserstein), min/max and null counts are exact.
 */
public final class SketchDrift {
  private static final QuantileSearchCriteria INCLUSIVE = QuantileSearchCriteria.INCLUSIVE;

  private final Thresholds thresholds;

  public SketchDrift(Thresholds thresholds) {
    this.thresholds = thresholds;
  }

  public static SketchDrift withDefaults() {
    return new SketchDrift(Thresholds.defaults());
  }

  public FeatureDrift between(ColumnProfile reference, ColumnProfile current) {
    if (reference.kind() != current.kind()) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "Cannot compare profiles of '%s': reference is %s, current is %s", reference.column(),
          reference.kind(), current.kind()));
    }
    return reference.kind() == ColumnProfile.Kind.NUMERIC ? numeric(reference, current) : categorical(reference, current);
  }

  private FeatureDrift numeric(ColumnProfile reference, ColumnProfile current) {
    KllDoublesSketch ref = reference.quantileSketch();
    KllDoublesSketch cur = current.quantileSketch();
    Map<String, Double> metrics = new LinkedHashMap<>();
    double[] edges = new double[0];
    double[] refShares = new double[0];
    double[] curShares = new double[0];
    double eps = rankError(ref) + rankError(cur);
    if (!ref.isEmpty() && !cur.isEmpty()) {
      edges = java.util.Arrays.stream(ref.getQuantiles(Numerics.BIN_LEVELS, INCLUSIVE)).sorted().distinct().toArray();
      refShares = binShares(ref, edges);
      curShares = binShares(cur, edges);
      metrics.put(Metrics.PSI, Distributions.psi(refShares, curShares));
      metrics.put(Metrics.JS_DISTANCE, Distributions.jsDistance(refShares, curShares));
      // both estimated CDFs are step functions that only jump at retained items
      TreeSet<Double> points = new TreeSet<>();
      for (double q : ref.getSortedView().getQuantiles()) {
        points.add(q);
      }
      for (double q : cur.getSortedView().getQuantiles()) {
        points.add(q);
      }
      double[] x = points.stream().mapToDouble(Double::doubleValue).toArray();
      double[] fr = ref.getRanks(x, INCLUSIVE);
      double[] fc = cur.getRanks(x, INCLUSIVE);
      double d = 0;
      Numerics.Sum w = new Numerics.Sum();
      for (int i = 0; i < x.length; i++) {
        d = Math.max(d, Math.abs(fr[i] - fc[i]));
        if (i + 1 < x.length) {
          w.add(Math.abs(fr[i] - fc[i]) * (x[i + 1] - x[i]));
        }
      }
      metrics.put(Metrics.KS, d);
      metrics.put(Metrics.KS_PVALUE, ExactDrift.ksPValue(d, reference.nonNull(), current.nonNull()));
      double sd = reference.stddev();
      metrics.put(Metrics.WASSERSTEIN, w.value());
      metrics.put(Metrics.WASSERSTEIN_NORMED, sd > 0 ? w.value() / sd : Double.NaN);
      double below = cur.getRank(reference.min(), QuantileSearchCriteria.EXCLUSIVE);
      double above = 1 - cur.getRank(reference.max(), INCLUSIVE);
      metrics.put(Metrics.OUT_OF_RANGE, Math.max(0, below + above));
    }
    ExactDrift.putNullRates(metrics, reference.nulls(), reference.count(), current.nulls(), current.count());
    Thresholds.Verdict v = thresholds.evaluate(metrics, reference.nonNull(), current.nonNull(), refShares.length);
    return new FeatureDrift(reference.column(), FeatureDrift.Kind.NUMERIC, Mode.SKETCH,
        reference.count(), current.count(), reference.nulls(), current.nulls(),
        refShares.length == 0 ? List.of() : Distributions.numericLabels(edges), Distributions.boxed(edges),
        Distributions.boxed(refShares), Distributions.boxed(curShares), metrics, eps, v.status(), v.reasons());
  }

  private FeatureDrift categorical(ColumnProfile reference, ColumnProfile current) {
    ItemsSketch<String> ref = reference.frequentItemsSketch();
    ItemsSketch<String> cur = current.frequentItemsSketch();
    Map<String, Long> refCounts = estimates(ref);
    Map<String, Long> curCounts = estimates(cur);
    double bound = share(ref.getMaximumError(), ref.getStreamLength())
        + share(cur.getMaximumError(), cur.getStreamLength());
    return new ExactDrift(thresholds).categoricalCounts(reference.column(), refCounts, curCounts,
        reference.nulls(), current.nulls(), Mode.SKETCH, bound);
  }

  private static Map<String, Long> estimates(ItemsSketch<String> sketch) {
    Map<String, Long> out = new HashMap<>();
    for (ItemsSketch.Row<String> row : sketch.getFrequentItems(0, ErrorType.NO_FALSE_NEGATIVES)) {
      out.put(row.getItem(), row.getEstimate());
    }
    return out;
  }

  private static double share(long error, long total) {
    return total == 0 ? 0 : (double) error / total;
  }

  // The PMF ("double-sided") error, larger than the single-rank one: KS takes a supremum over
  // many ranks and bins are differences of two ranks, so the single-rank figure would undersell.
  private static double rankError(KllDoublesSketch s) {
    return s.isEstimationMode() ? s.getNormalizedRankError(true) : 0;
  }

  /** Right-closed bins from the inclusive CDF: share(e_{i−1} < x ≤ e_i). */
  private static double[] binShares(KllDoublesSketch s, double[] edges) {
    double[] cdf = edges.length == 0 ? new double[] {1} : s.getCDF(edges, INCLUSIVE);
    double[] out = new double[cdf.length];
    double previous = 0;
    for (int i = 0; i < cdf.length; i++) {
      out[i] = cdf[i] - previous;
      previous = cdf[i];
    }
    return out;
  }
}
