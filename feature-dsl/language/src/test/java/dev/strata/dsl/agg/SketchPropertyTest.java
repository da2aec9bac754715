package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Random;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllSketch;
import org.junit.jupiter.api.Test;

/**
 * The sketches past their exact regimes: HLL stays byte-identical across merge orders; KLL and
 * frequent items do not, so their single-pass and merged results are checked against the truth
 * within the documented error.
 */
class SketchPropertyTest {

  @SuppressWarnings("unchecked")
  private static Aggregator<Object> create(AggregationFunction fn, List<Object> args, DataType type) {
    return (Aggregator<Object>) Aggregations.create(fn, args, type);
  }

  private static Object singlePass(Aggregator<Object> agg, List<Gen.Event> events) {
    Object ir = agg.create();
    for (Gen.Event event : events) {
      ir = agg.update(ir, event.value(), event.time());
    }
    return ir;
  }

  @Test
  void hllIsByteDeterministicInEveryModeAndWithinError() {
    for (int lgK : new int[] {4, 8, 12}) {
      Aggregator<Object> agg = create(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(lgK), DataType.STRING);
      // distinct counts across the list -> set -> HLL mode switches
      for (int distinct : new int[] {0, 1, 7, 8, 50, 383, 385, 2_000, 30_000}) {
        Random rnd = new Random(lgK * 31L + distinct);
        List<Gen.Event> events = new ArrayList<>();
        for (int i = 0; i < distinct * 2; i++) {
          events.add(new Gen.Event("v" + rnd.nextInt(Math.max(1, distinct)), i));
        }
        long truth = events.stream().map(Gen.Event::value).distinct().count();
        Object single = singlePass(agg, events);
        for (int round = 0; round < 3; round++) {
          Object merged = MergeOrderPropertyTest.mergeRandomly(agg, events, rnd, false);
          assertThat(agg.encode(merged)).as("lgK %d, %d distinct", lgK, distinct).isEqualTo(agg.encode(single));
          assertThat(agg.finish(merged)).isEqualTo(agg.finish(single));
        }
        Object decoded = agg.decode(agg.encode(single));
        assertThat(agg.encode(decoded)).isEqualTo(agg.encode(single));
        assertThat(agg.finish(decoded)).isEqualTo(agg.finish(single));
        // 4 standard errors of 1.04/sqrt(2^lgK), plus slack for the tiny sketches
        double tolerance = 4 * 1.04 / Math.sqrt(1 << lgK) * truth + 2;
        assertThat((double) (Long) agg.finish(single)).isCloseTo((double) truth, within(tolerance));
      }
    }
  }

  @Test
  void hllStateIsBoundedAndCompact() {
    Aggregator<Object> agg = create(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.LONG);
    Object ir = agg.create();
    for (long i = 0; i < 200_000; i++) {
      ir = agg.update(ir, i * 7919, i);
    }
    // 4-bit registers plus a few exceptions: about half of lgK 12's 4096 bytes
    assertThat(agg.encode(ir).length).isBetween(2048, 2200);
    assertThat((double) (Long) agg.finish(ir)).isCloseTo(200_000.0, within(200_000 * 0.05));
  }

  @Test
  void kllPastExactModeStaysWithinRankError() {
    double eps = KllSketch.getNormalizedRankError(KllAggregator.K, false);
    double[] ps = {0.01, 0.1, 0.5, 0.9, 0.99};
    List<Object> args = new ArrayList<>();
    for (double p : ps) {
      args.add(p);
    }
    for (DataType type : List.of(DataType.DOUBLE, DataType.LONG)) {
      Aggregator<Object> agg = create(AggregationFunction.APPROX_PERCENTILE, args, type);
      for (int trial = 0; trial < 5; trial++) {
        Random rnd = new Random(trial);
        int n = 201 + rnd.nextInt(20_000);
        List<Gen.Event> events = new ArrayList<>();
        double[] truth = new double[n];
        for (int i = 0; i < n; i++) {
          double x = Math.floor(rnd.nextGaussian() * 1000);
          truth[i] = x;
          events.add(new Gen.Event(type == DataType.LONG ? (Object) (long) x : (Object) x, i));
        }
        Arrays.sort(truth);
        Object single = singlePass(agg, events);
        Object merged = MergeOrderPropertyTest.mergeRandomly(agg, events, rnd, false);
        for (Object ir : List.of(single, merged, agg.decode(agg.encode(merged)))) {
          @SuppressWarnings("unchecked")
          List<Object> quantiles = (List<Object>) agg.finish(ir);
          for (int i = 0; i < ps.length; i++) {
            double q = (Double) quantiles.get(i);
            // the rank interval of q in the data must come within 2 eps of p
            double lowRank = lowerBound(truth, q) / (double) n;
            double highRank = upperBound(truth, q) / (double) n;
            assertThat(ps[i]).as("p %s of %d values, q %s", ps[i], n, q)
                .isBetween(lowRank - 2 * eps, highRank + 2 * eps);
          }
        }
        // a decoded sketch answers exactly like the original
        assertThat(agg.finish(agg.decode(agg.encode(merged)))).isEqualTo(agg.finish(merged));
      }
    }
  }

  @Test
  void sketchModeCopiesAreIndependent() {
    for (Aggregator<Object> agg :
        List.of(
            create(AggregationFunction.APPROX_PERCENTILE, List.of(0.5), DataType.DOUBLE),
            create(AggregationFunction.APPROX_TOP_K, List.of(2), DataType.DOUBLE),
            create(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.DOUBLE))) {
      Object ir = agg.create();
      for (int i = 0; i < 5_000; i++) {
        ir = agg.update(ir, (double) i, i);
      }
      byte[] before = agg.encode(ir);
      Object result = agg.finish(ir);
      Object copy = agg.copy(ir);
      for (int i = 0; i < 5_000; i++) {
        copy = agg.update(copy, -1.0, i);
      }
      assertThat(agg.finish(copy)).as("%s", agg).isNotEqualTo(result);
      assertThat(agg.encode(ir)).as("%s", agg).isEqualTo(before);
      assertThat(agg.finish(ir)).isEqualTo(result);
    }
  }

  @Test
  void kllStateIsBounded() {
    Aggregator<Object> agg = create(AggregationFunction.APPROX_PERCENTILE, List.of(0.5), DataType.DOUBLE);
    Object ir = agg.create();
    for (int i = 0; i < 1_000_000; i++) {
      ir = agg.update(ir, (double) i, i);
    }
    assertThat(agg.encode(ir).length).isLessThan(8_000);
  }

  @Test
  void frequentItemsPastExactModeStayWithinError() {
    Aggregator<Object> agg = create(AggregationFunction.APPROX_TOP_K, List.of(5), DataType.STRING);
    int mapSize = ((FrequentItemsAggregator) (Aggregator<?>) agg).maxMapSize();
    double[] heavyShares = {0.20, 0.15, 0.10, 0.08, 0.06};
    for (int trial = 0; trial < 4; trial++) {
      Random rnd = new Random(100 + trial);
      int n = 20_000;
      List<Gen.Event> events = new ArrayList<>();
      Map<String, Long> truth = new HashMap<>();
      for (int i = 0; i < n; i++) {
        double u = rnd.nextDouble();
        String item = null;
        double cumulative = 0;
        for (int h = 0; h < heavyShares.length && item == null; h++) {
          cumulative += heavyShares[h];
          if (u < cumulative) {
            item = "heavy" + h;
          }
        }
        if (item == null) {
          item = "light" + rnd.nextInt(5_000);
        }
        truth.merge(item, 1L, Long::sum);
        events.add(new Gen.Event(item, i));
      }
      long maxError = (long) Math.ceil(ItemsSketch.getEpsilon(mapSize) * n);
      Object single = singlePass(agg, events);
      Object merged = MergeOrderPropertyTest.mergeRandomly(agg, events, rnd, false);
      assertThat(((ItemsSketch<?>) merged).getMaximumError()).isPositive(); // really estimating
      for (Object ir : List.of(single, merged, agg.decode(agg.encode(merged)))) {
        @SuppressWarnings("unchecked")
        Map<Object, Long> top = (Map<Object, Long>) agg.finish(ir);
        assertThat(top.keySet()).containsExactlyInAnyOrder("heavy0", "heavy1", "heavy2", "heavy3", "heavy4");
        top.forEach(
            (item, estimate) ->
                assertThat(estimate).isCloseTo(truth.get(item), within(maxError)));
      }
    }
  }

  @Test
  void boundedIrsKeepOnlyKItems() {
    for (AggregationFunction fn :
        List.of(AggregationFunction.FIRST_K, AggregationFunction.LAST_K, AggregationFunction.TOP_K, AggregationFunction.BOTTOM_K)) {
      Aggregator<Object> agg = create(fn, List.of(7), DataType.LONG);
      Object ir = agg.create();
      Random rnd = new Random(5);
      for (int i = 0; i < 10_000; i++) {
        ir = agg.update(ir, rnd.nextLong(), rnd.nextInt(100));
      }
      assertThat(((PriorityQueue<?>) ir).size()).isEqualTo(7);
    }
    Aggregator<Object> items = create(AggregationFunction.APPROX_TOP_K, List.of(3), DataType.LONG);
    Object ir = items.create();
    for (long i = 0; i < 100_000; i++) {
      ir = items.update(ir, i, i);
    }
    assertThat(((ItemsSketch<?>) ir).getNumActiveItems())
        .isLessThanOrEqualTo(((FrequentItemsAggregator) (Aggregator<?>) items).maxMapSize());
  }

  private static int lowerBound(double[] sorted, double q) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < q) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int upperBound(double[] sorted, double q) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= q) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
