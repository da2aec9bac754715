package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Locale;

/**
 * The aggregation library's entry point: checks a function with its args and input type, and
 * creates the {@link Aggregator}.
 *
 * <p>Input types: count takes any input or none (count(*)); sum, avg, variance, stddev and
 * approx_percentile take bigint or double; min, max, top_k and bottom_k take bigint, double,
 * string or timestamp; first, last, first_k, last_k, count_distinct, approx_count_distinct,
 * approx_top_k and histogram take any primitive type.
 *
 * <p>Args: first_k, last_k, top_k, bottom_k take [n] with 1 ≤ n ≤ {@value #MAX_K};
 * approx_top_k takes [n] with 1 ≤ n ≤ {@value #MAX_APPROX_TOP_K}; approx_percentile takes one or
 * more percentiles in [0, 1]; approx_count_distinct takes an optional [lgK] in [4, 21]; the
 * others take none.
 */
public final class Aggregations {
  /** Largest n of first_k/last_k/top_k/bottom_k: their IRs hold n values. */
  public static final int MAX_K = 10_000;

  public static final int MAX_APPROX_TOP_K = 1_000;

  private static final String PRIMITIVE =
      "a primitive input (boolean, bigint, double, string or timestamp)";
  private static final String ORDERABLE =
      "an orderable input (bigint, double, string or timestamp)";

  private Aggregations() {}

  /** Checks the aggregation: its output type, or a one-sentence error for the user. */
  public static AggregationResolution resolve(
      AggregationFunction function, List<Object> args, DataType inputTypeOrNull) {
    try {
      return AggregationResolution.of(check(function, args, inputTypeOrNull).outputType());
    } catch (IllegalArgumentException e) {
      return AggregationResolution.failed(e.getMessage());
    }
  }

  /**
   * Creates the aggregator.
   *
   * @throws IllegalArgumentException with the message {@link #resolve} gives, when invalid
   */
  public static Aggregator<?> create(
      AggregationFunction function, List<Object> args, DataType inputTypeOrNull) {
    return check(function, args, inputTypeOrNull);
  }

  // Validation and construction are one path, so resolve and create can never disagree.
  private static Aggregator<?> check(
      AggregationFunction function, List<Object> args, DataType input) {
    if (function == null) {
      throw new IllegalArgumentException("an aggregation needs a function");
    }
    List<Object> arguments = args == null ? List.of() : args;
    String name = function.yamlName();
    if (input == null && function != AggregationFunction.COUNT) {
      throw new IllegalArgumentException(
          name + " takes an input column or expression, e.g. input: delay");
    }
    switch (function) {
      case COUNT:
        noArgs(function, arguments);
        return new CountAggregator(input);
      case SUM:
      case AVG:
        requireNumeric(function, input);
        noArgs(function, arguments);
        return new SumAggregator(function, input);
      case VARIANCE:
      case STDDEV:
        requireNumeric(function, input);
        noArgs(function, arguments);
        return new VarianceAggregator(function, input);
      case MIN:
      case MAX:
        requireOrderable(function, input);
        noArgs(function, arguments);
        return new MinMaxAggregator(function, input);
      case FIRST:
      case LAST:
        requirePrimitive(function, input);
        noArgs(function, arguments);
        return new FirstLastAggregator(function, input);
      case FIRST_K:
      case LAST_K:
        requirePrimitive(function, input);
        return new BoundedKAggregator(function, input, countArg(function, arguments, MAX_K, 5));
      case TOP_K:
      case BOTTOM_K:
        requireOrderable(function, input);
        return new BoundedKAggregator(function, input, countArg(function, arguments, MAX_K, 5));
      case COUNT_DISTINCT:
        requirePrimitive(function, input);
        noArgs(function, arguments);
        return new CountDistinctAggregator(input);
      case HISTOGRAM:
        requirePrimitive(function, input);
        noArgs(function, arguments);
        return new HistogramAggregator(input);
      case APPROX_COUNT_DISTINCT:
        requirePrimitive(function, input);
        return new HllAggregator(input, lgKArg(arguments));
      case APPROX_PERCENTILE:
        requireNumeric(function, input);
        return new KllAggregator(input, percentileArgs(arguments));
      case APPROX_TOP_K:
        requirePrimitive(function, input);
        int n = countArg(function, arguments, MAX_APPROX_TOP_K, 10);
        return new FrequentItemsAggregator(input, n);
      default:
        throw new IllegalArgumentException("unknown aggregation function " + name);
    }
  }

  private static void requireNumeric(AggregationFunction function, DataType input) {
    if (!input.isNumeric()) {
      throw new IllegalArgumentException(
          function.yamlName() + " takes a numeric input, got " + input.sqlName());
    }
  }

  private static void requireOrderable(AggregationFunction function, DataType input) {
    if (!input.isOrderable()) {
      throw new IllegalArgumentException(
          function.yamlName() + " takes " + ORDERABLE + ", got " + input.sqlName());
    }
  }

  private static void requirePrimitive(AggregationFunction function, DataType input) {
    if (!(input instanceof DataType.Primitive)) {
      throw new IllegalArgumentException(
          function.yamlName() + " takes " + PRIMITIVE + ", got " + input.sqlName());
    }
  }

  private static void noArgs(AggregationFunction function, List<Object> args) {
    if (!args.isEmpty()) {
      throw new IllegalArgumentException(function.yamlName() + " takes no args, got " + args);
    }
  }

  private static int countArg(
      AggregationFunction function, List<Object> args, int max, int example) {
    Long n = args.size() == 1 ? integral(args.get(0)) : null;
    if (n == null || n < 1 || n > max) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "%s takes one integer n between 1 and %d as args, e.g. args: [%d]",
              function.yamlName(), max, example));
    }
    return n.intValue();
  }

  private static int lgKArg(List<Object> args) {
    if (args.isEmpty()) {
      return HllAggregator.DEFAULT_LG_K;
    }
    Long lgK = args.size() == 1 ? integral(args.get(0)) : null;
    if (lgK == null || lgK < HllAggregator.MIN_LG_K || lgK > HllAggregator.MAX_LG_K) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "approx_count_distinct takes an optional lgK between %d and %d as args,"
                  + " e.g. args: [%d]",
              HllAggregator.MIN_LG_K, HllAggregator.MAX_LG_K, HllAggregator.DEFAULT_LG_K));
    }
    return lgK.intValue();
  }

  private static double[] percentileArgs(List<Object> args) {
    double[] percentiles = new double[args.size()];
    boolean valid = !args.isEmpty();
    for (int i = 0; i < args.size() && valid; i++) {
      Object arg = args.get(i);
      if (arg instanceof Number number && !(arg instanceof Byte)) {
        percentiles[i] = number.doubleValue();
        valid = percentiles[i] >= 0.0 && percentiles[i] <= 1.0;
      } else {
        valid = false;
      }
    }
    if (!valid) {
      throw new IllegalArgumentException(
          "approx_percentile takes one or more percentiles between 0 and 1 as args,"
              + " e.g. args: [0.5, 0.9]");
    }
    return percentiles;
  }

  // The integer value of a YAML number (3, 3L, 3.0, BigInteger, BigDecimal), else null.
  private static Long integral(Object arg) {
    if (arg instanceof Integer || arg instanceof Long || arg instanceof Short) {
      return ((Number) arg).longValue();
    } else if (arg instanceof BigInteger big) {
      return big.bitLength() < 63 ? big.longValue() : null;
    } else if (arg instanceof Double || arg instanceof Float || arg instanceof BigDecimal) {
      double d = ((Number) arg).doubleValue();
      return d == Math.rint(d) && Math.abs(d) < 1e15 ? (long) d : null;
    }
    return null;
  }
}
