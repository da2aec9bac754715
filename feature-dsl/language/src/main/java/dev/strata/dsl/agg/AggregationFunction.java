package dev.strata.dsl.agg;

import java.util.Locale;
import java.util.Optional;

/** The aggregation functions of the language, named in definitions by {@link #yamlName()}. */
public enum AggregationFunction {
  COUNT,
  SUM,
  AVG,
  MIN,
  MAX,
  VARIANCE,
  STDDEV,
  FIRST,
  LAST,
  FIRST_K,
  LAST_K,
  TOP_K,
  BOTTOM_K,
  COUNT_DISTINCT,
  APPROX_COUNT_DISTINCT,
  APPROX_PERCENTILE,
  APPROX_TOP_K,
  HISTOGRAM;

  private final String yamlName = name().toLowerCase(Locale.ROOT);

  /** The name used in YAML definitions, e.g. {@code approx_percentile}. */
  public String yamlName() {
    return yamlName;
  }

  /** The function with that YAML name (case-insensitive), if any. */
  public static Optional<AggregationFunction> fromName(String name) {
    if (name == null) {
      return Optional.empty();
    }
    String normalized = name.trim().toLowerCase(Locale.ROOT);
    for (AggregationFunction fn : values()) {
      if (fn.yamlName.equals(normalized)) {
        return Optional.of(fn);
      }
    }
    return Optional.empty();
  }

  /**
   * Whether the function needs an input. False only for {@link #COUNT}: without an input it is
   * {@code count(*)} and counts rows, with one it counts the non-null values.
   */
  public boolean takesInput() {
    return this != COUNT;
  }

  /** True for the sketch-based functions, whose results are estimates with a documented error. */
  public boolean isApproximate() {
    return this == APPROX_COUNT_DISTINCT || this == APPROX_PERCENTILE || this == APPROX_TOP_K;
  }

  @Override
  public String toString() {
    return yamlName;
  }
}
