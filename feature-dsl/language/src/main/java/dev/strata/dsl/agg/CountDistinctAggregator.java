package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

/**
 * count_distinct: the exact number of distinct non-null values (0 when there are none). The IR
 * is the set itself, so it grows with the number of distinct values: that is the price of
 * exactness (approx_count_distinct is the bounded alternative). Doubles compare by SQL
 * equality: 0.0 = -0.0 and NaN = NaN.
 *
 * <p>Encoding: version, varint count, the values in ascending order (bigint/timestamp as
 * varint deltas).
 */
final class CountDistinctAggregator extends BaseAggregator<HashSet<Object>> {
  private final ValueCodec codec;

  CountDistinctAggregator(DataType inputType) {
    super(AggregationFunction.COUNT_DISTINCT, inputType, DataType.LONG);
    this.codec = ValueCodec.of(inputType);
  }

  @Override
  public HashSet<Object> create() {
    return new HashSet<>();
  }

  @Override
  public HashSet<Object> update(HashSet<Object> ir, Object value, long eventMicros) {
    if (value != null) {
      ir.add(codec.normalize(codec.check(value, function(), inputType())));
    }
    return ir;
  }

  @Override
  public HashSet<Object> merge(HashSet<Object> a, HashSet<Object> b) {
    a.addAll(b);
    return a;
  }

  @Override
  public Object finish(HashSet<Object> ir) {
    return (long) ir.size();
  }

  @Override
  public HashSet<Object> copy(HashSet<Object> ir) {
    return new HashSet<>(ir);
  }

  @Override
  void encodeBody(HashSet<Object> ir, DataOutput out) throws IOException {
    List<Object> values = new ArrayList<>(ir);
    values.sort(codec);
    Varints.writeCount(out, values.size());
    codec.writeAscending(out, values);
  }

  @Override
  HashSet<Object> decodeBody(DataInput in) throws IOException {
    int count = Varints.readCount(in);
    return new HashSet<>(codec.readAscending(in, count));
  }
}
