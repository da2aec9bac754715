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
    // While merging stored IRs of an unboxed codec, the best value so far in raw form only.
    private long raw;
    private boolean rawOnly;

    Holder(Object value) {
      this.value = value;
    }
  }

  /** The value (null when empty), boxed now if it was kept raw. */
  private Object value(Holder ir) {
    if (ir.rawOnly) {
      ir.value = codec.fromRaw(ir.raw);
      ir.rawOnly = false;
    }
    return ir.value;
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
    Object current = value(ir);
    if (current == null || sign * codec.compare(value, current) > 0) {
      ir.value = value;
    }
  }

  @Override
  public Holder merge(Holder a, Holder b) {
    Object other = value(b);
    if (other != null) {
      offer(a, other);
    }
    return a;
  }

  @Override
  public Object finish(Holder ir) {
    return value(ir);
  }

  @Override
  public Holder copy(Holder ir) {
    return new Holder(value(ir));
  }

  @Override
  void encodeBody(Holder ir, DataOutput out) throws IOException {
    Object value = value(ir);
    if (value == null) {
      out.writeByte(0);
    } else {
      out.writeByte(1);
      codec.write(out, value);
    }
  }

  @Override
  Holder mergeBody(Holder into, ByteCursor in) throws IOException {
    int present = in.readUnsignedByte();
    if (present > 1) {
      throw new IOException("invalid presence byte " + present);
    } else if (present == 1 && codec.unboxed()) {
      long v = codec.readRaw(in);
      boolean empty = !into.rawOnly && into.value == null;
      if (empty || sign * codec.compareRaw(v, into.rawOnly ? into.raw : codec.toRaw(into.value)) > 0) {
        into.raw = v;
        into.rawOnly = true;
        into.value = null;
      }
    } else if (present == 1) {
      into.value = codec.readIfBeats(in, value(into), sign);
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
