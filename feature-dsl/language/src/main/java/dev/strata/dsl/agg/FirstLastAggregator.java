package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * first and last: the value with the earliest / latest event time. Events at the same time are
 * ordered by value ({@link ValueCodec}): first keeps the smallest, last the largest, so the
 * result is the minimum / maximum of (time, value) pairs and any merge order agrees.
 *
 * <p>Encoding: version, then 0 (empty) or 1 followed by zigzag varint event time and the value.
 */
final class FirstLastAggregator extends BaseAggregator<FirstLastAggregator.TimedValue> {

  static final class TimedValue {
    private long time;
    private Object value; // null when empty
    // While merging stored IRs of an unboxed codec, the value so far in raw form only.
    private long raw;
    private boolean rawOnly;

    TimedValue(long time, Object value) {
      this.time = time;
      this.value = value;
    }
  }

  /** The value (null when empty), boxed now if it was kept raw. */
  private Object value(TimedValue ir) {
    if (ir.rawOnly) {
      ir.value = codec.fromRaw(ir.raw);
      ir.rawOnly = false;
    }
    return ir.value;
  }

  private final ValueCodec codec;
  private final int sign; // +1 keeps the later pair (last), -1 the earlier (first)

  FirstLastAggregator(AggregationFunction function, DataType inputType) {
    super(function, inputType, inputType);
    this.codec = ValueCodec.of(inputType);
    this.sign = function == AggregationFunction.LAST ? 1 : -1;
  }

  @Override
  public TimedValue create() {
    return new TimedValue(0, null);
  }

  @Override
  public TimedValue update(TimedValue ir, Object value, long eventMicros) {
    if (value != null) {
      offer(ir, eventMicros, codec.check(value, function(), inputType()));
    }
    return ir;
  }

  private void offer(TimedValue ir, long time, Object value) {
    Object current = value(ir);
    if (current == null || sign * compare(time, value, ir.time, current) > 0) {
      ir.time = time;
      ir.value = value;
    }
  }

  private int compare(long timeA, Object valueA, long timeB, Object valueB) {
    int byTime = Long.compare(timeA, timeB);
    return byTime != 0 ? byTime : codec.compare(valueA, valueB);
  }

  @Override
  public TimedValue merge(TimedValue a, TimedValue b) {
    Object other = value(b);
    if (other != null) {
      offer(a, b.time, other);
    }
    return a;
  }

  @Override
  public Object finish(TimedValue ir) {
    return value(ir);
  }

  @Override
  public TimedValue copy(TimedValue ir) {
    return new TimedValue(ir.time, value(ir));
  }

  @Override
  void encodeBody(TimedValue ir, DataOutput out) throws IOException {
    Object value = value(ir);
    if (value == null) {
      out.writeByte(0);
    } else {
      out.writeByte(1);
      Varints.writeSignedLong(out, ir.time);
      codec.write(out, value);
    }
  }

  @Override
  TimedValue mergeBody(TimedValue into, ByteCursor in) throws IOException {
    int present = in.readUnsignedByte();
    if (present > 1) {
      throw new IOException("invalid presence byte " + present);
    } else if (present == 1) {
      long time = Varints.readSignedLong(in);
      boolean empty = !into.rawOnly && into.value == null;
      int byTime = empty ? 1 : sign * Long.compare(time, into.time);
      if (byTime < 0) {
        codec.skip(in); // loses on time alone: its value is never needed
      } else if (!codec.unboxed()) {
        into.time = time;
        into.value = byTime > 0 ? codec.read(in) : codec.readIfBeats(in, value(into), sign); // a tie: the value decides
      } else {
        long v = codec.readRaw(in);
        if (byTime > 0 || sign * codec.compareRaw(v, into.rawOnly ? into.raw : codec.toRaw(into.value)) > 0) {
          into.time = time;
          into.raw = v;
          into.rawOnly = true;
          into.value = null;
        }
      }
    }
    return into;
  }

  @Override
  TimedValue decodeBody(DataInput in) throws IOException {
    int present = in.readUnsignedByte();
    if (present > 1) {
      throw new IOException("invalid presence byte " + present);
    } else if (present == 0) {
      return create();
    }
    long time = Varints.readSignedLong(in);
    return new TimedValue(time, codec.read(in));
  }
}
