package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * count(*) (no input type: counts rows) and count(x) (counts non-null values).
 *
 * <p>Encoding: version, varint count.
 */
final class CountAggregator extends BaseAggregator<CountAggregator.Counter> {

  /** A mutable count, so updates do not box. */
  static final class Counter {
    private long count;

    Counter(long count) {
      this.count = count;
    }
  }

  CountAggregator(DataType inputTypeOrNull) {
    super(AggregationFunction.COUNT, inputTypeOrNull, DataType.LONG);
  }

  @Override
  public Counter create() {
    return new Counter(0);
  }

  @Override
  public Counter update(Counter ir, Object value, long eventMicros) {
    // count(*) callers pass a non-null marker for every row, so one rule serves both forms
    if (value != null) {
      ir.count += 1;
    }
    return ir;
  }

  @Override
  public Counter merge(Counter a, Counter b) {
    a.count += b.count;
    return a;
  }

  @Override
  public Object finish(Counter ir) {
    return ir.count;
  }

  @Override
  public Counter copy(Counter ir) {
    return new Counter(ir.count);
  }

  @Override
  void encodeBody(Counter ir, DataOutput out) throws IOException {
    Varints.writeUnsignedLong(out, ir.count);
  }

  @Override
  Counter mergeBody(Counter into, ByteCursor in) throws IOException {
    into.count += Varints.readUnsignedLong(in);
    return into;
  }

  @Override
  Counter decodeBody(DataInput in) throws IOException {
    return new Counter(Varints.readUnsignedLong(in));
  }
}
