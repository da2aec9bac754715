package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Hand-computed expectations: every expected value here was worked out by hand, not by the code. */
class AggregatorExamplesTest {

  /** Runs events (value, time) through one aggregator and finishes, also via a two-way split. */
  private static Object run(AggregationFunction fn, List<Object> args, DataType type, Object... valueTimePairs) {
    @SuppressWarnings("unchecked")
    Aggregator<Object> agg = (Aggregator<Object>) Aggregations.create(fn, args, type);
    Object all = agg.create();
    Object left = agg.create();
    Object right = agg.create();
    for (int i = 0; i < valueTimePairs.length; i += 2) {
      Object value = valueTimePairs[i];
      long time = ((Number) valueTimePairs[i + 1]).longValue();
      all = agg.update(all, value, time);
      if (i % 4 == 0) {
        left = agg.update(left, value, time);
      } else {
        right = agg.update(right, value, time);
      }
    }
    Object result = agg.finish(all);
    // KLL past its exact mode agrees across splits only within its error (checked elsewhere)
    boolean deterministic = fn != AggregationFunction.APPROX_PERCENTILE || valueTimePairs.length / 2 <= KllAggregator.K;
    if (deterministic) {
      assertThat(agg.finish(agg.merge(right, left))).isEqualTo(result);
    }
    return result;
  }

  /** Values at times 0, 1, 2, ... */
  private static Object runValues(AggregationFunction fn, List<Object> args, DataType type, Object... values) {
    Object[] pairs = new Object[values.length * 2];
    for (int i = 0; i < values.length; i++) {
      pairs[2 * i] = values[i];
      pairs[2 * i + 1] = (long) i;
    }
    return run(fn, args, type, pairs);
  }

  @Test
  void sampleVarianceAndStddev() {
    // mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, divided by n - 1 = 3
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.LONG, 1L, 2L, 3L, 4L))
        .isEqualTo(1.6666666666666667);
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.DOUBLE, 1.0, 2.0, 3.0, 4.0))
        .isEqualTo(1.6666666666666667);
    assertThat(runValues(AggregationFunction.STDDEV, List.of(), DataType.LONG, 1L, 2L, 3L, 4L))
        .isEqualTo(1.2909944487358056); // sqrt(5/3)
    // mean 5, squared deviations sum to 32, 32 / 7
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.LONG, 2L, 4L, 4L, 4L, 5L, 5L, 7L, 9L))
        .isEqualTo(4.571428571428571);
    assertThat(runValues(AggregationFunction.STDDEV, List.of(), DataType.LONG, 2L, 4L, 4L, 4L, 5L, 5L, 7L, 9L))
        .isEqualTo(2.138089935299395);
  }

  @Test
  void varianceHasNoCancellationError() {
    // same spread as {1,2,3,4}, shifted by 1e9: a naive sum-of-squares formula loses it all
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.DOUBLE, 1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4))
        .isEqualTo(1.6666666666666667);
    // two neighbours at the top of the long range: deviations ±0.5, (0.25 + 0.25) / 1
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.LONG, Long.MAX_VALUE, Long.MAX_VALUE - 1))
        .isEqualTo(0.5);
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.LONG, 7L, 7L, 7L)).isEqualTo(0.0);
  }

  @Test
  void varianceNeedsTwoValuesAndIsNanForNonFinite() {
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.DOUBLE, 3.0, null)).isNull();
    assertThat(runValues(AggregationFunction.STDDEV, List.of(), DataType.DOUBLE)).isNull();
    assertThat(runValues(AggregationFunction.VARIANCE, List.of(), DataType.DOUBLE, 1.0, Double.POSITIVE_INFINITY))
        .isEqualTo(Double.NaN);
    assertThat(runValues(AggregationFunction.STDDEV, List.of(), DataType.DOUBLE, 1.0, Double.NaN, 2.0))
        .isEqualTo(Double.NaN);
  }

  @Test
  void avgAndSum() {
    assertThat(runValues(AggregationFunction.AVG, List.of(), DataType.LONG, 1L, 2L, 4L, null)).isEqualTo(2.3333333333333335); // 7/3
    assertThat(runValues(AggregationFunction.AVG, List.of(), DataType.LONG, 1L, 2L)).isEqualTo(1.5);
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.LONG, 1L, null, 2L, 4L)).isEqualTo(7L);
    // the exact sum of the three doubles is 0.6000000000000000055…, nearest double 0.6;
    // left-to-right double addition gives 0.6000000000000001
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.DOUBLE, 0.1, 0.2, 0.3)).isEqualTo(0.6);
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.DOUBLE, 1e100, 1.0, -1e100)).isEqualTo(1.0);
    // the mean of two 1e308 is 1e308, though their double sum overflows
    assertThat(runValues(AggregationFunction.AVG, List.of(), DataType.DOUBLE, 1e308, 1e308)).isEqualTo(1e308);
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.DOUBLE, -0.0, -0.0)).isEqualTo(0.0);
  }

  @Test
  void bigintSumIsExactAndNullOnOverflow() {
    // the running sum leaves the long range and comes back: still exact
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.LONG, Long.MAX_VALUE, 1L, -1L)).isEqualTo(Long.MAX_VALUE);
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.LONG, Long.MAX_VALUE, 1L)).isNull();
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.LONG, Long.MIN_VALUE, -1L, 1L)).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void nonFiniteSums() {
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.DOUBLE, 1.0, Double.NaN)).isEqualTo(Double.NaN);
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.DOUBLE, Double.POSITIVE_INFINITY, 1.0))
        .isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(runValues(AggregationFunction.AVG, List.of(), DataType.DOUBLE, Double.NEGATIVE_INFINITY, 1.0))
        .isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(runValues(AggregationFunction.SUM, List.of(), DataType.DOUBLE, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY))
        .isEqualTo(Double.NaN);
  }

  @Test
  void emptyWindowsAreNullExceptCounts() {
    List<Object[]> nulls =
        List.of(
            new Object[] {AggregationFunction.SUM, List.of(), DataType.LONG},
            new Object[] {AggregationFunction.SUM, List.of(), DataType.DOUBLE},
            new Object[] {AggregationFunction.AVG, List.of(), DataType.LONG},
            new Object[] {AggregationFunction.MIN, List.of(), DataType.STRING},
            new Object[] {AggregationFunction.MAX, List.of(), DataType.TIMESTAMP},
            new Object[] {AggregationFunction.VARIANCE, List.of(), DataType.DOUBLE},
            new Object[] {AggregationFunction.STDDEV, List.of(), DataType.LONG},
            new Object[] {AggregationFunction.FIRST, List.of(), DataType.BOOLEAN},
            new Object[] {AggregationFunction.LAST, List.of(), DataType.STRING},
            new Object[] {AggregationFunction.FIRST_K, List.of(2), DataType.LONG},
            new Object[] {AggregationFunction.LAST_K, List.of(2), DataType.LONG},
            new Object[] {AggregationFunction.TOP_K, List.of(2), DataType.DOUBLE},
            new Object[] {AggregationFunction.BOTTOM_K, List.of(2), DataType.DOUBLE},
            new Object[] {AggregationFunction.HISTOGRAM, List.of(), DataType.STRING},
            new Object[] {AggregationFunction.APPROX_PERCENTILE, List.of(0.5), DataType.DOUBLE},
            new Object[] {AggregationFunction.APPROX_TOP_K, List.of(3), DataType.STRING});
    for (Object[] spec : nulls) {
      @SuppressWarnings("unchecked")
      List<Object> args = (List<Object>) spec[1];
      // only NULL inputs: still an empty window
      assertThat(runValues((AggregationFunction) spec[0], args, (DataType) spec[2], null, null))
          .as("%s", spec[0])
          .isNull();
    }
    assertThat(runValues(AggregationFunction.COUNT, List.of(), null)).isEqualTo(0L);
    assertThat(runValues(AggregationFunction.COUNT, List.of(), DataType.STRING, (Object) null)).isEqualTo(0L);
    assertThat(runValues(AggregationFunction.COUNT_DISTINCT, List.of(), DataType.LONG)).isEqualTo(0L);
    assertThat(runValues(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.STRING, (Object) null)).isEqualTo(0L);
    // all-NaN percentile input is empty too: KLL cannot order NaN
    assertThat(runValues(AggregationFunction.APPROX_PERCENTILE, List.of(0.5), DataType.DOUBLE, Double.NaN)).isNull();
  }

  @Test
  void countStarCountsRowsAndCountXCountsNonNull() {
    Object[] column = {1L, null, 3L, null, 5L};
    Object[] markers = {true, true, true, true, true}; // count(*): one marker per row
    assertThat(runValues(AggregationFunction.COUNT, List.of(), null, markers)).isEqualTo(5L);
    assertThat(runValues(AggregationFunction.COUNT, List.of(), DataType.LONG, column)).isEqualTo(3L);
  }

  @Test
  void minAndMax() {
    assertThat(runValues(AggregationFunction.MIN, List.of(), DataType.LONG, 3L, null, -2L, 7L)).isEqualTo(-2L);
    assertThat(runValues(AggregationFunction.MAX, List.of(), DataType.LONG, 3L, null, -2L, 7L)).isEqualTo(7L);
    // code point order: U+1F600 (a surrogate pair in UTF-16) is above U+FFFF
    assertThat(runValues(AggregationFunction.MAX, List.of(), DataType.STRING, "\uFFFF", "\uD83D\uDE00", "a"))
        .isEqualTo("\uD83D\uDE00");
    assertThat(runValues(AggregationFunction.MIN, List.of(), DataType.STRING, "b", "", "a")).isEqualTo("");
    assertThat(runValues(AggregationFunction.MAX, List.of(), DataType.DOUBLE, 1.0, Double.NaN, 2.0)).isEqualTo(Double.NaN);
    assertThat(runValues(AggregationFunction.MIN, List.of(), DataType.DOUBLE, 0.0, -0.0)).isEqualTo(-0.0);
    assertThat(runValues(AggregationFunction.MAX, List.of(), DataType.DOUBLE, -0.0, 0.0)).isEqualTo(0.0);
    assertThat(runValues(AggregationFunction.MAX, List.of(), DataType.TIMESTAMP, 10L, 30L, 20L)).isEqualTo(30L);
  }

  @Test
  void firstAndLastBreakTiesByValue() {
    Object[] events = {5L, 10L, 3L, 10L, 9L, 20L, 1L, 20L, null, 30L, null, 5L};
    // earliest time 10 holds 5 and 3: first takes the smaller; latest 20 holds 9 and 1: last the larger
    assertThat(run(AggregationFunction.FIRST, List.of(), DataType.LONG, events)).isEqualTo(3L);
    assertThat(run(AggregationFunction.LAST, List.of(), DataType.LONG, events)).isEqualTo(9L);
    assertThat(run(AggregationFunction.LAST, List.of(), DataType.DOUBLE, Double.NaN, 1L, 1.0, 1L)).isEqualTo(Double.NaN);
    assertThat(run(AggregationFunction.FIRST, List.of(), DataType.BOOLEAN, true, 4L, false, 4L)).isEqualTo(false);
  }

  @Test
  void firstKAndLastKOrder() {
    Object[] events = {"a", 1L, "b", 2L, "c", 3L, "d", 4L, "e", 5L};
    assertThat(run(AggregationFunction.LAST_K, List.of(3), DataType.STRING, events)).isEqualTo(List.of("e", "d", "c"));
    assertThat(run(AggregationFunction.FIRST_K, List.of(2), DataType.STRING, events)).isEqualTo(List.of("a", "b"));
    assertThat(run(AggregationFunction.LAST_K, List.of(9), DataType.STRING, events))
        .isEqualTo(List.of("e", "d", "c", "b", "a"));
    Object[] ties = {"x", 5L, "y", 5L, "z", 4L};
    assertThat(run(AggregationFunction.LAST_K, List.of(2), DataType.STRING, ties)).isEqualTo(List.of("y", "x"));
    assertThat(run(AggregationFunction.FIRST_K, List.of(2), DataType.STRING, ties)).isEqualTo(List.of("z", "x"));
    // duplicates at the same time are both kept
    assertThat(run(AggregationFunction.LAST_K, List.of(3), DataType.LONG, 7L, 1L, 7L, 1L, 2L, 0L))
        .isEqualTo(List.of(7L, 7L, 2L));
  }

  @Test
  void topKAndBottomKKeepDuplicates() {
    Object[] values = {5L, 1L, 5L, 3L, 5L, 2L, null};
    assertThat(runValues(AggregationFunction.TOP_K, List.of(3), DataType.LONG, values)).isEqualTo(List.of(5L, 5L, 5L));
    assertThat(runValues(AggregationFunction.TOP_K, List.of(4), DataType.LONG, values)).isEqualTo(List.of(5L, 5L, 5L, 3L));
    assertThat(runValues(AggregationFunction.BOTTOM_K, List.of(3), DataType.LONG, values)).isEqualTo(List.of(1L, 2L, 3L));
    assertThat(runValues(AggregationFunction.TOP_K, List.of(10), DataType.STRING, "b", "a", "c"))
        .isEqualTo(List.of("c", "b", "a"));
  }

  @Test
  void histogramAndCountDistinct() {
    Object histogram = runValues(AggregationFunction.HISTOGRAM, List.of(), DataType.STRING, "a", "b", "a", null, "c", "a");
    assertThat(histogram).isEqualTo(Map.of("a", 3L, "b", 1L, "c", 1L));
    assertThat(new ArrayList<>(((Map<?, ?>) histogram).keySet())).isEqualTo(List.of("a", "b", "c"));
    double otherNaN = Double.longBitsToDouble(0x7ff8000000000123L);
    Object doubles = runValues(AggregationFunction.HISTOGRAM, List.of(), DataType.DOUBLE, 0.0, -0.0, Double.NaN, otherNaN, 1.5);
    assertThat(doubles).isEqualTo(Map.of(0.0, 2L, 1.5, 1L, Double.NaN, 2L));
    assertThat(new ArrayList<>(((Map<?, ?>) doubles).keySet())).isEqualTo(List.of(0.0, 1.5, Double.NaN));
    assertThat(runValues(AggregationFunction.COUNT_DISTINCT, List.of(), DataType.LONG, 1L, 2L, 2L, null, 3L)).isEqualTo(3L);
    assertThat(runValues(AggregationFunction.COUNT_DISTINCT, List.of(), DataType.DOUBLE, 0.0, -0.0, Double.NaN, otherNaN))
        .isEqualTo(2L);
  }

  @Test
  void approxCountDistinct() {
    Object[] hundred = new Object[200];
    for (int i = 0; i < hundred.length; i++) {
      hundred[i] = (long) (i % 100);
    }
    // 100 distinct values stay in the exact coupon mode
    assertThat(runValues(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.LONG, hundred)).isEqualTo(100L);
    Object[] many = new Object[5_000];
    for (int i = 0; i < many.length; i++) {
      many[i] = "user-" + i;
    }
    // lgK 12: relative standard error 1.04 / 64 = 1.6%; allow 4 of them
    assertThat((double) (Long) runValues(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.STRING, many))
        .isCloseTo(5_000.0, within(5_000 * 0.065));
    assertThat(runValues(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.STRING, "", "", "a")).isEqualTo(2L);
  }

  @Test
  void approxPercentile() {
    Object[] hundred = new Object[100];
    for (int i = 0; i < hundred.length; i++) {
      hundred[i] = (long) (100 - i);
    }
    // exact mode, inclusive rule: the smallest value with at least p·n values at or below it
    assertThat(runValues(AggregationFunction.APPROX_PERCENTILE, List.of(0.5), DataType.LONG, hundred)).isEqualTo(50.0);
    assertThat(runValues(AggregationFunction.APPROX_PERCENTILE, List.of(0, 0.9, 1), DataType.LONG, hundred))
        .isEqualTo(List.of(1.0, 90.0, 100.0));
    Object[] thousand = new Object[1000];
    for (int i = 0; i < thousand.length; i++) {
      thousand[i] = (double) (i + 1);
    }
    // past k = 200 values: KLL's rank error is 1.33% (99% confidence); allow twice that
    @SuppressWarnings("unchecked")
    List<Object> quantiles =
        (List<Object>) runValues(AggregationFunction.APPROX_PERCENTILE, List.of(0.5, 0.9), DataType.DOUBLE, thousand);
    assertThat((Double) quantiles.get(0)).isCloseTo(500.0, within(27.0));
    assertThat((Double) quantiles.get(1)).isCloseTo(900.0, within(27.0));
  }

  @Test
  void approxTopK() {
    Object[] values = {"a", "b", "a", "c", "a", "b", "d", "c", "a", "b", "c", "a", null};
    Object top = runValues(AggregationFunction.APPROX_TOP_K, List.of(2), DataType.STRING, values);
    // a: 5, then b and c tie at 3: the smaller item wins
    assertThat(top).isEqualTo(Map.of("a", 5L, "b", 3L));
    assertThat(new ArrayList<>(((Map<?, ?>) top).keySet())).isEqualTo(List.of("a", "b"));
  }

  @Test
  void updateRejectsValuesOfTheWrongClass() {
    Aggregator<?> sum = Aggregations.create(AggregationFunction.SUM, List.of(), DataType.LONG);
    @SuppressWarnings("unchecked")
    Aggregator<Object> agg = (Aggregator<Object>) sum;
    Object ir = agg.create();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> agg.update(ir, 3, 0L))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot update sum: expected a bigint value (java.lang.Long), got java.lang.Integer");
    assertThat(Arrays.asList(agg.function(), agg.inputType(), agg.outputType()))
        .containsExactly(AggregationFunction.SUM, DataType.LONG, DataType.LONG);
  }
}
