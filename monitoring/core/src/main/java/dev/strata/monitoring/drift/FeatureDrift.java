package dev.strata.monitoring.drift;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Drift of one feature between a reference and a current sample.
 *
 * @param feature the column or feature name
 * @param kind numeric (quantile bins) or categorical (reference categories + "unseen")
 * @param mode exact, or from sketches
 * @param referenceCount rows in the reference, nulls included
 * @param currentCount rows in the current sample, nulls included
 * @param referenceNulls nulls in the reference
 * @param currentNulls nulls in the current sample
 * @param bins bin labels: {@code (-inf, e1]}, … for numerics, category values then
 *     {@link #UNSEEN} for categoricals
 * @param edges the numeric bin edges (empty for categoricals)
 * @param referenceShares share of the non-null reference in each bin
 * @param currentShares share of the non-null current sample in each bin
 * @param metrics metric name ({@link Metrics}) → value; NaN where undefined
 * @param errorBound sketch mode: the normalized rank error (numerics) or the largest count
 *     error over the non-null total (categoricals) of the two sketches added; 0 when exact
 * @param status the verdict from the thresholds
 * @param reasons which metrics raised the status
 */
public record FeatureDrift(
    String feature,
    Kind kind,
    Mode mode,
    long referenceCount,
    long currentCount,
    long referenceNulls,
    long currentNulls,
    List<String> bins,
    List<Double> edges,
    List<Double> referenceShares,
    List<Double> currentShares,
    Map<String, Double> metrics,
    double errorBound,
    Status status,
    List<String> reasons) {

  /** The bucket of categorical values that the reference never had. */
  public static final String UNSEEN = "(unseen)";

  /** Whether bins are reference quantiles or categories. */
  public enum Kind {
    NUMERIC,
    CATEGORICAL;

    public String label() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public FeatureDrift {
    bins = List.copyOf(bins);
    edges = List.copyOf(edges);
    referenceShares = List.copyOf(referenceShares);
    currentShares = List.copyOf(currentShares);
    metrics = Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
    reasons = List.copyOf(reasons);
  }

  /** A metric's value, NaN when not computed for this kind of feature. */
  public double metric(String name) {
    Double v = metrics.get(name);
    return v == null ? Double.NaN : v;
  }

  /** The same result judged by other thresholds. */
  public FeatureDrift withThresholds(Thresholds thresholds) {
    Thresholds.Verdict v = thresholds.evaluate(metrics, referenceCount - referenceNulls,
        currentCount - currentNulls, bins.size());
    return new FeatureDrift(feature, kind, mode, referenceCount, currentCount, referenceNulls,
        currentNulls, bins, edges, referenceShares, currentShares, metrics, errorBound,
        v.status(), v.reasons());
  }
}
