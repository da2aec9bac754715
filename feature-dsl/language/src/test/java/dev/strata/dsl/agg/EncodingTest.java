package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EncodingTest {

  @SuppressWarnings("unchecked")
  private static Aggregator<Object> create(MergeOrderPropertyTest.Spec spec) {
    return spec.aggregator();
  }

  @Test
  void emptyAndNonEmptyIrsRoundTrip() {
    Random rnd = new Random(42);
    for (MergeOrderPropertyTest.Spec spec : MergeOrderPropertyTest.specs()) {
      Aggregator<Object> agg = create(spec);
      Object empty = agg.create();
      byte[] emptyBytes = agg.encode(empty);
      assertThat(emptyBytes[0]).as("%s starts with the format version", spec).isEqualTo((byte) 1);
      assertThat(agg.encode(agg.decode(emptyBytes))).isEqualTo(emptyBytes);
      assertThat(agg.finish(agg.decode(emptyBytes))).isEqualTo(agg.finish(empty));
      Object full = agg.create();
      for (int i = 0; i < 30; i++) {
        full = agg.update(full, Gen.value(spec.type(), rnd), Gen.time(rnd));
      }
      byte[] bytes = agg.encode(full);
      assertThat(agg.encode(agg.decode(bytes))).as("%s", spec).isEqualTo(bytes);
      assertThat(agg.finish(agg.decode(bytes))).as("%s", spec).isEqualTo(agg.finish(full));
    }
  }

  @Test
  void decodeRejectsUnknownVersionsTruncationAndTrailingBytes() {
    for (MergeOrderPropertyTest.Spec spec : MergeOrderPropertyTest.specs()) {
      Aggregator<Object> agg = create(spec);
      Object ir = agg.create();
      Random rnd = new Random(7);
      for (int i = 0; i < 10; i++) {
        ir = agg.update(ir, Gen.value(spec.type(), rnd), i);
      }
      byte[] bytes = agg.encode(ir);
      byte[] future = bytes.clone();
      future[0] = 9;
      String name = spec.function().yamlName();
      assertThatThrownBy(() -> agg.decode(future))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot decode " + name + " IR: unsupported format version 9");
      assertThatThrownBy(() -> agg.decode(Arrays.copyOf(bytes, bytes.length - 1)))
          .as("%s truncated", spec)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot decode " + name + " IR");
      assertThatThrownBy(() -> agg.decode(Arrays.copyOf(bytes, bytes.length + 2)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot decode " + name + " IR: 2 trailing bytes");
    }
  }

  @Test
  void mergeEncodedRejectsWhatDecodeRejects() {
    for (MergeOrderPropertyTest.Spec spec : MergeOrderPropertyTest.specs()) {
      Aggregator<Object> agg = create(spec);
      Object ir = agg.create();
      Random rnd = new Random(11);
      for (int i = 0; i < 10; i++) {
        ir = agg.update(ir, Gen.value(spec.type(), rnd), i);
      }
      byte[] bytes = agg.encode(ir);
      byte[] future = bytes.clone();
      future[0] = 9;
      String name = spec.function().yamlName();
      assertThatThrownBy(() -> agg.mergeEncoded(agg.create(), new ByteCursor(future, 0, future.length)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot decode " + name + " IR: unsupported format version 9");
      assertThatThrownBy(() -> agg.mergeEncoded(agg.create(), new ByteCursor(bytes, 0, bytes.length - 1)))
          .as("%s truncated", spec)
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("Cannot decode " + name + " IR");
      byte[] longer = Arrays.copyOf(bytes, bytes.length + 2);
      assertThatThrownBy(() -> agg.mergeEncoded(agg.create(), new ByteCursor(longer, 0, longer.length)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Cannot decode " + name + " IR: 2 trailing bytes");
      // and the good bytes, merged into an empty IR, are the IR
      assertThat(agg.encode(agg.mergeEncoded(agg.create(), new ByteCursor(longer, 0, bytes.length))))
          .as("%s", spec).isEqualTo(bytes);
    }
  }

  @Test
  void encodingsAreCompact() {
    Aggregator<Object> count = create(new MergeOrderPropertyTest.Spec(AggregationFunction.COUNT, List.of(), null));
    Object c = count.create();
    for (int i = 0; i < 100; i++) {
      c = count.update(c, true, i);
    }
    assertThat(count.encode(c)).containsExactly(1, 100); // version, varint 100

    Aggregator<Object> sum = create(new MergeOrderPropertyTest.Spec(AggregationFunction.SUM, List.of(), DataType.LONG));
    Object s = sum.create();
    for (long i = 1; i <= 10; i++) {
      s = sum.update(s, i, i);
    }
    // version, count 10, header "integer that fits a long", zigzag(55) = 110
    assertThat(sum.encode(s)).containsExactly(1, 10, 8, 110);

    Aggregator<Object> avg = create(new MergeOrderPropertyTest.Spec(AggregationFunction.AVG, List.of(), DataType.DOUBLE));
    Object a = avg.create();
    a = avg.update(a, 0.5, 0);
    // version, count 1, header "dyadic", zigzag(-1) = 1, one mantissa byte 0x01
    assertThat(avg.encode(a)).containsExactly(1, 1, 16, 1, 1, 1);

    Aggregator<Object> distinct =
        create(new MergeOrderPropertyTest.Spec(AggregationFunction.COUNT_DISTINCT, List.of(), DataType.TIMESTAMP));
    Object d = distinct.create();
    long t0 = 978_307_200_000_000L;
    for (int i = 0; i < 100; i++) {
      d = distinct.update(d, t0 + i * 60_000_000L, 0);
    }
    // one full timestamp, then 99 deltas of one minute (4 bytes each)
    assertThat(distinct.encode(d).length).isLessThan(2 + 8 + 99 * 4 + 1);
  }

  @Test
  void rowAggregatorRoundTripsAndChecksItsInput() {
    List<Aggregator<?>> aggregators =
        List.of(
            Aggregations.create(AggregationFunction.COUNT, List.of(), null),
            Aggregations.create(AggregationFunction.AVG, List.of(), DataType.LONG),
            Aggregations.create(AggregationFunction.LAST, List.of(), DataType.STRING),
            Aggregations.create(AggregationFunction.APPROX_PERCENTILE, List.of(0.5, 0.9), DataType.DOUBLE),
            Aggregations.create(AggregationFunction.HISTOGRAM, List.of(), DataType.BOOLEAN));
    RowAggregator row = new RowAggregator(aggregators);
    assertThat(row.size()).isEqualTo(5);
    Object[] irs = row.create();
    assertThat(row.finish(irs)).containsExactly(0L, null, null, null, null);
    byte[] emptyBytes = row.encode(irs);
    assertThat(emptyBytes[0]).isEqualTo((byte) 1);
    assertThat(row.encode(row.decode(emptyBytes))).isEqualTo(emptyBytes);

    irs = row.update(irs, new Object[] {true, 4L, "x", 1.5, true}, 10);
    irs = row.update(irs, new Object[] {true, null, "y", 2.5, false}, 20);
    irs = row.update(irs, new Object[] {true, 8L, null, null, true}, 30);
    Object[] expected = {3L, 6.0, "y", List.of(1.5, 2.5), java.util.Map.of(false, 1L, true, 2L)};
    assertThat(row.finish(irs)).containsExactly(expected);
    byte[] bytes = row.encode(irs);
    assertThat(row.finish(row.decode(bytes))).containsExactly(expected);
    assertThat(row.encode(row.decode(bytes))).isEqualTo(bytes);
    assertThat(row.finish(row.copy(irs))).containsExactly(expected);

    assertThatThrownBy(() -> row.update(row.create(), new Object[] {true}, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot update row IRs: expected 5 inputs, got 1");
    byte[] future = bytes.clone();
    future[0] = 2;
    assertThatThrownBy(() -> row.decode(future))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot decode row IRs: unsupported format version 2");
    assertThatThrownBy(() -> row.decode(Arrays.copyOf(bytes, bytes.length + 1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot decode row IRs: 1 trailing bytes after 5 aggregations");
    assertThatThrownBy(() -> row.decode(Arrays.copyOf(bytes, 3)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot decode row IRs");

    // locate finds each IR's bytes without decoding, and checks the framing as decode does
    int[] bounds = new int[2 + 2 * row.size()];
    row.locate(bytes, bounds, 2);
    Object[] decoded = row.decode(bytes);
    for (int i = 0; i < row.size(); i++) {
      @SuppressWarnings("unchecked")
      Aggregator<Object> agg = (Aggregator<Object>) aggregators.get(i);
      assertThat(Arrays.copyOfRange(bytes, bounds[2 + 2 * i], bounds[3 + 2 * i])).isEqualTo(agg.encode(decoded[i]));
    }
    assertThat(bounds[2]).isEqualTo(2); // after the version byte and the first length
    assertThat(bounds[3 + 2 * (row.size() - 1)]).isEqualTo(bytes.length);
    assertThatThrownBy(() -> row.locate(future, bounds, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot decode row IRs: unsupported format version 2");
    assertThatThrownBy(() -> row.locate(Arrays.copyOf(bytes, bytes.length + 1), bounds, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot decode row IRs: 1 trailing bytes after 5 aggregations");
    assertThatThrownBy(() -> row.locate(Arrays.copyOf(bytes, 3), bounds, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot decode row IRs: truncated input");
  }

  @Test
  void rowTilesMergeToTheSameBytesInAnyOrder() {
    List<Aggregator<?>> aggregators =
        List.of(
            Aggregations.create(AggregationFunction.COUNT, List.of(), null),
            Aggregations.create(AggregationFunction.SUM, List.of(), DataType.DOUBLE),
            Aggregations.create(AggregationFunction.STDDEV, List.of(), DataType.DOUBLE),
            Aggregations.create(AggregationFunction.FIRST_K, List.of(3), DataType.DOUBLE),
            Aggregations.create(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.DOUBLE),
            Aggregations.create(AggregationFunction.APPROX_TOP_K, List.of(2), DataType.DOUBLE));
    RowAggregator row = new RowAggregator(aggregators);
    for (int trial = 0; trial < 100; trial++) {
      Random rnd = new Random(trial);
      List<Gen.Event> events = Gen.events(DataType.DOUBLE, rnd, 50);
      Object[] single = row.create();
      for (Gen.Event e : events) {
        Object v = e.value();
        single = row.update(single, new Object[] {true, v, v, v, v, v}, e.time());
      }
      // tiles built in reverse order, merged right to left through their bytes
      int cut = events.isEmpty() ? 0 : rnd.nextInt(events.size());
      Object[] left = row.create();
      Object[] right = row.create();
      for (int i = events.size() - 1; i >= 0; i--) {
        Gen.Event e = events.get(i);
        Object v = e.value();
        Object[] target = i < cut ? left : right;
        row.update(target, new Object[] {true, v, v, v, v, v}, e.time());
      }
      Object[] merged = row.merge(row.decode(row.encode(right)), row.decode(row.encode(left)));
      assertThat(row.encode(merged)).as("trial %d", trial).isEqualTo(row.encode(single));
      assertThat(row.finish(merged)).isEqualTo(row.finish(single));
    }
  }
}
