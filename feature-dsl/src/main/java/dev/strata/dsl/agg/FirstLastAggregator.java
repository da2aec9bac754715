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

    TimedValue(long time, Object value) {
      this.time = time;
      this.value = value;
    }
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
    if (ir.value == null || sign * compare(time, value, ir.time, ir.value) > 0) {
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
    if (b.value != null) {
      offer(a, b.time, b.value);
    }
    return a;
  }

  @Override
  public Object finish(TimedValue ir) {
    return ir.value;
  }

  @Override
  public TimedValue copy(TimedValue ir) {
    return new TimedValue(ir.time, ir.value);
  }

  @Override
  void encodeBody(TimedValue ir, DataOutput out) throws IOException {
    if (ir.value == null) {
      out.writeByte(0);
    } else {
      out.writeByte(1);
      Varints.writeSignedLong(out, ir.time);
      codec.write(out, ir.value);
    }
  }

  @Override
  TimedValue mergeBody(TimedValue into, ByteCursor in) throws IOException {
    int present = in.readUnsignedByte();
    if (present > 1) {
      throw new IOException("invalid presence byte " + present);
    } else if (present == 1) {
      long time = Varints.readSignedLong(in);
      int byTime = into.value == null ? 1 : sign * Long.compare(time, into.time);
      if (byTime < 0) {
        codec.skip(in); // loses on time alone: its value is never needed
      } else if (byTime > 0) {
        into.time = time;
        into.value = codec.read(in);
      } else {
        into.value = codec.readIfBeats(in, into.value, sign); // a tie on time: the value decides
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
