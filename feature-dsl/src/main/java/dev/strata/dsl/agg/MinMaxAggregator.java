package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * min and max over bigint, double, string or timestamp, in the total order of {@link
 * ValueCodec} (so max(-0.0, 0.0) is 0.0 and a NaN is the max of any doubles).
 *
 * <p>Encoding: version, then 0 (empty) or 1 followed by the value.
 */
final class MinMaxAggregator extends BaseAggregator<MinMaxAggregator.Holder> {

  static final class Holder {
    private Object value;

    Holder(Object value) {
      this.value = value;
    }
  }

  private final ValueCodec codec;
  private final int sign; // +1 keeps the larger value, -1 the smaller

  MinMaxAggregator(AggregationFunction function, DataType inputType) {
    super(function, inputType, inputType);
    this.codec = ValueCodec.of(inputType);
    this.sign = function == AggregationFunction.MAX ? 1 : -1;
  }

  @Override
  public Holder create() {
    return new Holder(null);
  }

  @Override
  public Holder update(Holder ir, Object value, long eventMicros) {
    if (value != null) {
      offer(ir, codec.check(value, function(), inputType()));
    }
    return ir;
  }

  private void offer(Holder ir, Object value) {
    if (ir.value == null || sign * codec.compare(value, ir.value) > 0) {
      ir.value = value;
    }
  }

  @Override
  public Holder merge(Holder a, Holder b) {
    if (b.value != null) {
      offer(a, b.value);
    }
    return a;
  }

  @Override
  public Object finish(Holder ir) {
    return ir.value;
  }

  @Override
  public Holder copy(Holder ir) {
    return new Holder(ir.value);
  }

  @Override
  void encodeBody(Holder ir, DataOutput out) throws IOException {
    if (ir.value == null) {
      out.writeByte(0);
    } else {
      out.writeByte(1);
      codec.write(out, ir.value);
    }
  }

  @Override
  Holder mergeBody(Holder into, ByteCursor in) throws IOException {
    int present = in.readUnsignedByte();
    if (present > 1) {
      throw new IOException("invalid presence byte " + present);
    } else if (present == 1) {
      into.value = codec.readIfBeats(in, into.value, sign);
    }
    return into;
  }

  @Override
  Holder decodeBody(DataInput in) throws IOException {
    int present = in.readUnsignedByte();
    if (present > 1) {
      throw new IOException("invalid presence byte " + present);
    }
    return new Holder(present == 1 ? codec.read(in) : null);
  }
}
