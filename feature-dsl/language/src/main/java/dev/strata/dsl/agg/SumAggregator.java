package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * sum and avg over bigint or double, exact: the IR keeps the count and the exact sum ({@link
 * ExactSum}), and finish rounds once, so any split or merge order gives the same bits.
 *
 * <p>sum(bigint) is a bigint, NULL if the exact sum does not fit 64 bits (no silent wrap).
 * sum(double) is the exact sum correctly rounded; a zero sum is +0.0. avg is the exact mean
 * correctly rounded. Non-finite inputs: any NaN, or both +Inf and -Inf, give NaN; otherwise an
 * infinity wins. NULL when there is no non-null input.
 *
 * <p>Encoding: version, varint count of non-null inputs, {@link ExactSum#write exact sum}.
 */
final class SumAggregator extends BaseAggregator<SumAggregator.SumState> {

  static final class SumState {
    private long count;
    private final ExactSum sum;

    SumState(long count, ExactSum sum) {
      this.count = count;
      this.sum = sum;
    }
  }

  private final boolean doubleInput;
  private final boolean average;

  SumAggregator(AggregationFunction function, DataType inputType) {
    super(function, inputType, function == AggregationFunction.AVG ? DataType.DOUBLE : inputType);
    this.doubleInput = inputType == DataType.DOUBLE;
    this.average = function == AggregationFunction.AVG;
  }

  @Override
  public SumState create() {
    return new SumState(0, new ExactSum());
  }

  @Override
  public SumState update(SumState ir, Object value, long eventMicros) {
    if (value == null) {
      return ir;
    }
    if (doubleInput) {
      ir.sum.addDouble(Numbers.asDouble(value, function(), inputType()));
    } else {
      ir.sum.addLong(Numbers.asLong(value, function(), inputType()));
    }
    ir.count += 1;
    return ir;
  }

  @Override
  public SumState merge(SumState a, SumState b) {
    a.count += b.count;
    a.sum.add(b.sum);
    return a;
  }

  @Override
  public Object finish(SumState ir) {
    if (ir.count == 0) {
      return null;
    }
    if (average) {
      int flags = ir.sum.flags();
      if (flags != 0) {
        return ir.sum.toDouble(); // NaN or an infinity, whatever the count
      }
      return ir.sum.divideToDouble(ir.count);
    }
    return doubleInput ? (Object) ir.sum.toDouble() : ir.sum.toLongOrNull();
  }

  @Override
  public SumState copy(SumState ir) {
    return new SumState(ir.count, ir.sum.copy());
  }

  @Override
  void encodeBody(SumState ir, DataOutput out) throws IOException {
    Varints.writeUnsignedLong(out, ir.count);
    ir.sum.write(out);
  }

  @Override
  SumState mergeBody(SumState into, ByteCursor in) throws IOException {
    into.count += Varints.readUnsignedLong(in);
    into.sum.addEncoded(in);
    return into;
  }

  @Override
  SumState decodeBody(DataInput in) throws IOException {
    long count = Varints.readUnsignedLong(in);
    return new SumState(count, ExactSum.read(in));
  }
}
