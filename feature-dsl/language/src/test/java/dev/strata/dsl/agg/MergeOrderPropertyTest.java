package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Property: for random events, one pass equals any split into chunks (each updated in a shuffled
 * order, some round-tripped through bytes) merged in a random tree (some merges straight from
 * bytes, {@link Aggregator#mergeEncoded}) — the same finish() result
 * and the same encoded bytes. Run with seeded Randoms so a failure names a reproducible seed.
 *
 * <p>The event counts here stay below the sketches' exact thresholds, where every IR (sketches
 * included) is canonical; {@link SketchPropertyTest} covers the estimation regimes.
 */
class MergeOrderPropertyTest {
  private static final int CASES_PER_SPEC = 150;
  private static final int MAX_EVENTS = 60;

  record Spec(AggregationFunction function, List<Object> args, DataType type) {
    @SuppressWarnings("unchecked")
    Aggregator<Object> aggregator() {
      return (Aggregator<Object>) Aggregations.create(function, args, type);
    }

    @Override
    public String toString() {
      return function.yamlName() + args + "(" + (type == null ? "*" : type.sqlName()) + ")";
    }
  }

  static List<Spec> specs() {
    List<Spec> specs = new ArrayList<>();
    List<DataType> numeric = List.of(DataType.LONG, DataType.DOUBLE);
    List<DataType> orderable = List.of(DataType.LONG, DataType.DOUBLE, DataType.STRING, DataType.TIMESTAMP);
    List<DataType> primitive =
        List.of(DataType.BOOLEAN, DataType.LONG, DataType.DOUBLE, DataType.STRING, DataType.TIMESTAMP);
    specs.add(new Spec(AggregationFunction.COUNT, List.of(), null));
    specs.add(new Spec(AggregationFunction.COUNT, List.of(), DataType.STRING));
    specs.add(new Spec(AggregationFunction.COUNT, List.of(), DataType.DOUBLE));
    for (DataType t : numeric) {
      for (AggregationFunction fn :
          List.of(AggregationFunction.SUM, AggregationFunction.AVG, AggregationFunction.VARIANCE, AggregationFunction.STDDEV)) {
        specs.add(new Spec(fn, List.of(), t));
      }
      specs.add(new Spec(AggregationFunction.APPROX_PERCENTILE, List.of(0.5), t));
      specs.add(new Spec(AggregationFunction.APPROX_PERCENTILE, List.of(0.0, 0.25, 0.9, 1.0), t));
    }
    for (DataType t : orderable) {
      specs.add(new Spec(AggregationFunction.MIN, List.of(), t));
      specs.add(new Spec(AggregationFunction.MAX, List.of(), t));
      specs.add(new Spec(AggregationFunction.TOP_K, List.of(3), t));
      specs.add(new Spec(AggregationFunction.BOTTOM_K, List.of(4), t));
    }
    for (DataType t : primitive) {
      specs.add(new Spec(AggregationFunction.FIRST, List.of(), t));
      specs.add(new Spec(AggregationFunction.LAST, List.of(), t));
      specs.add(new Spec(AggregationFunction.FIRST_K, List.of(3), t));
      specs.add(new Spec(AggregationFunction.LAST_K, List.of(5), t));
      specs.add(new Spec(AggregationFunction.COUNT_DISTINCT, List.of(), t));
      specs.add(new Spec(AggregationFunction.HISTOGRAM, List.of(), t));
      specs.add(new Spec(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), t));
      specs.add(new Spec(AggregationFunction.APPROX_TOP_K, List.of(3), t));
    }
    specs.add(new Spec(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(4), DataType.LONG));
    specs.add(new Spec(AggregationFunction.FIRST_K, List.of(1), DataType.LONG));
    specs.add(new Spec(AggregationFunction.TOP_K, List.of(100), DataType.DOUBLE));
    return specs;
  }

  @TestFactory
  Stream<DynamicTest> singlePassEqualsAnyMergeTree() {
    List<Spec> specs = specs();
    return specs.stream()
        .map(
            spec ->
                DynamicTest.dynamicTest(
                    spec.toString(),
                    () -> {
                      for (int i = 0; i < CASES_PER_SPEC; i++) {
                        long seed = spec.toString().hashCode() * 1_000_003L + i;
                        Random rnd = new Random(seed);
                        List<Gen.Event> events = Gen.events(spec.type(), rnd, MAX_EVENTS);
                        checkMergeEquivalence(spec.aggregator(), events, rnd, "seed " + seed + " " + spec);
                      }
                    }));
  }

  /** Asserts the merge property and round trips for one event list. */
  static void checkMergeEquivalence(
      Aggregator<Object> agg, List<Gen.Event> events, Random rnd, String description) {
    Object single = agg.create();
    for (Gen.Event event : events) {
      single = agg.update(single, event.value(), event.time());
    }
    byte[] singleBytes = agg.encode(single);

    Object merged = mergeRandomly(agg, events, rnd, true);
    String context = description + " events " + events;
    assertThat(agg.encode(merged)).as("bytes of " + context).isEqualTo(singleBytes);
    assertThat(agg.finish(merged)).as("finish of " + context).isEqualTo(agg.finish(single));
    assertThat(agg.encode(single)).as("finish must not change the IR: " + context).isEqualTo(singleBytes);

    Object decoded = agg.decode(singleBytes);
    assertThat(agg.finish(decoded)).as("decoded finish of " + context).isEqualTo(agg.finish(single));
    assertThat(agg.encode(decoded)).as("re-encoded " + context).isEqualTo(singleBytes);

    // copies are independent of the original
    Object copy = agg.copy(single);
    assertThat(agg.encode(copy)).isEqualTo(singleBytes);
    for (int i = 0; i < 3; i++) {
      copy = agg.update(copy, Gen.value(agg.inputType(), rnd), Gen.time(rnd));
    }
    assertThat(agg.encode(single)).as("original after updating a copy: " + context).isEqualTo(singleBytes);
  }

  /**
   * Shuffles the events, cuts them into random chunks, aggregates each chunk (some through a
   * byte round trip) and merges the chunk IRs in a random tree, checking that merge never
   * changes its second argument.
   */
  static Object mergeRandomly(Aggregator<Object> agg, List<Gen.Event> events, Random rnd, boolean checkArgs) {
    List<Gen.Event> shuffled = new ArrayList<>(events);
    Collections.shuffle(shuffled, rnd);
    int chunks = 1 + rnd.nextInt(Math.min(8, shuffled.size() + 2));
    List<Object> irs = new ArrayList<>();
    int start = 0;
    for (int c = 0; c < chunks; c++) {
      int end = c == chunks - 1 ? shuffled.size() : start + rnd.nextInt(shuffled.size() - start + 1);
      Object ir = agg.create();
      for (Gen.Event event : shuffled.subList(start, end)) {
        ir = agg.update(ir, event.value(), event.time());
      }
      if (rnd.nextInt(3) == 0) {
        ir = agg.decode(agg.encode(ir));
      }
      irs.add(ir);
      start = end;
    }
    while (irs.size() > 1) {
      Object a = irs.remove(rnd.nextInt(irs.size()));
      Object b = irs.remove(rnd.nextInt(irs.size()));
      byte[] before = checkArgs ? agg.encode(b) : null;
      Object merged;
      if (rnd.nextInt(3) == 0) {
        // straight from bytes, as the online reader merges stored blocks, inside a larger array
        byte[] encoded = agg.encode(b);
        int pad = rnd.nextInt(3);
        byte[] framed = new byte[encoded.length + 2 * pad];
        System.arraycopy(encoded, 0, framed, pad, encoded.length);
        merged = agg.mergeEncoded(a, new ByteCursor(framed, pad, pad + encoded.length));
      } else {
        merged = agg.merge(a, b);
      }
      if (checkArgs) {
        assertThat(agg.encode(b)).as("merge must not change its second argument").isEqualTo(before);
      }
      irs.add(merged);
    }
    return irs.get(0);
  }
}
