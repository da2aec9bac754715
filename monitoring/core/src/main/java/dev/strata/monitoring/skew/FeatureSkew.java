package dev.strata.monitoring.skew;

import java.util.List;

/**
 * How one feature's served values compare with its offline values over a slice of the log.
 *
 * @param feature the service's feature name ({@code group.feature}, or a derived feature)
 * @param rowsCompared logged rows whose served status was PRESENT (or not given): compared
 * @param rowsNotServed logged rows the online store had nothing for (NOT_FOUND, outside TTL or
 *     max age): their served value is NULL by definition, so they are counted, not compared
 * @param mismatches compared rows whose values differ ({@link SkewComparison})
 * @param meanAbsDiff mean |served − offline| over compared rows where both are numbers; NaN if none
 * @param maxAbsDiff the largest of those differences; NaN if none
 * @param examples the first few mismatches, in log order
 */
public record FeatureSkew(
    String feature,
    long rowsCompared,
    long rowsNotServed,
    long mismatches,
    double meanAbsDiff,
    double maxAbsDiff,
    List<Example> examples) {

  /** Examples kept per feature. */
  public static final int MAX_EXAMPLES = 5;

  public FeatureSkew {
    examples = List.copyOf(examples);
  }

  /** mismatches / rowsCompared; 0 when nothing was compared. */
  public double mismatchShare() {
    return rowsCompared == 0 ? 0 : (double) mismatches / rowsCompared;
  }

  /**
   * One mismatching logged row. Values are shown as JSON text so that {@code 1} (bigint),
   * {@code 1.0} (double) and {@code "1"} (string) stay distinguishable.
   */
  public record Example(String requestId, String entities, long servedAtMicros, String served, String offline) {}

  /** Accumulates the comparisons of one feature, row by row. */
  public static final class Counter {
    private final String feature;
    private final SkewComparison comparison;
    private long compared;
    private long notServed;
    private long mismatches;
    private long numeric;
    private double sumAbsDiff;
    private double maxAbsDiff = Double.NaN;
    private final java.util.ArrayList<Example> examples = new java.util.ArrayList<>();

    public Counter(String feature, SkewComparison comparison) {
      this.feature = feature;
      this.comparison = comparison;
    }

    /** A row the online store had nothing for (its status says so). */
    public void notServed() {
      notServed++;
    }

    /**
     * Compares one row's served and offline values (feature-dsl values: Long, Double, String,
     * Boolean, List, Map, or null); returns whether they matched.
     */
    public boolean compare(Object served, Object offline, String requestId, String entities, long servedAtMicros) {
      compared++;
      if (served instanceof Number s && offline instanceof Number o) {
        double d = Math.abs(s.doubleValue() - o.doubleValue());
        if (Double.isFinite(d)) {
          numeric++;
          sumAbsDiff += d;
          maxAbsDiff = Double.isNaN(maxAbsDiff) ? d : Math.max(maxAbsDiff, d);
        }
      }
      boolean same = comparison.matches(served, offline);
      if (!same) {
        mismatches++;
        if (examples.size() < MAX_EXAMPLES) {
          examples.add(new Example(requestId, entities, servedAtMicros, SkewComparison.text(served), SkewComparison.text(offline)));
        }
      }
      return same;
    }

    public FeatureSkew build() {
      return new FeatureSkew(feature, compared, notServed, mismatches, numeric == 0 ? Double.NaN : sumAbsDiff / numeric,
          maxAbsDiff, examples);
    }
  }
}
