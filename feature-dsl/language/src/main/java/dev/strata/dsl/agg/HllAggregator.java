package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.apache.datasketches.hll.HllSketch;
import org.apache.datasketches.hll.TgtHllType;
import org.apache.datasketches.hll.Union;
import org.apache.datasketches.memory.Memory;

/**
 * approx_count_distinct: a DataSketches HLL sketch (HLL_8, lgK from the args, default 12;
 * relative standard error about 1.04 / sqrt(2^lgK), 1.6% at lgK 12). finish is the rounded
 * estimate, a bigint.
 *
 * <p><b>Canonical bytes.</b> The library's own serialization is not order-independent: in its
 * exact (coupon list/set) modes the coupons are stored in insertion or hash-probe order, and in
 * HLL mode the image carries the HIP accumulator, which depends on update order, and an
 * out-of-order flag that depends on whether the sketch was ever merged. The information content
 * is order-independent though: the set of coupons in the exact modes (a mode switch happens at
 * a fixed number of distinct coupons) and the register array (a per-slot maximum) in HLL mode.
 * So the IR encodes exactly that — coupons sorted, registers packed — and decoding rebuilds a
 * sketch from it. finish also estimates from that canonical state, always with the composite
 * estimator in HLL mode (never HIP), so a single pass and any merge tree give the same bits.
 * These IRs are byte-deterministic.
 *
 * <p>Encoding: version, lgK, then either 0 + varint coupon count + coupons as varint deltas of
 * ascending (slot &lt;&lt; 6 | value), or 1 + the 2^lgK registers: varint base (the minimum),
 * 4-bit offsets from base two per byte (15 = exception), varint exception count, exceptions
 * as (varint slot delta, value byte) in slot order.
 */
final class HllAggregator extends BaseAggregator<Union> {
  static final int DEFAULT_LG_K = 12;
  static final int MIN_LG_K = 4;
  static final int MAX_LG_K = 21;

  // An invalid UTF-8 sequence: no non-empty string hashes like it, and the library ignores "".
  private static final byte[] EMPTY_STRING_KEY = {(byte) 0xFF};

  // DataSketches HLL image layout (the library's documented cross-language format, version 1)
  private static final int SER_VER = 1;
  private static final int FAMILY_ID = 7;
  private static final int LIST_PREINTS = 2;
  private static final int SET_PREINTS = 3;
  private static final int HLL_PREINTS = 10;
  private static final int EMPTY_FLAG = 4;
  private static final int COMPACT_FLAG = 8;
  private static final int OUT_OF_ORDER_FLAG = 16;
  private static final int MODE_LIST = 0;
  private static final int MODE_SET = 1;
  private static final int MODE_HLL = 2;
  private static final int HLL_8 = 2 << 2;
  private static final int LIST_MAX = 7; // a list promotes when its 8th coupon arrives
  private static final int LIST_START = 8;
  private static final int SET_START = 12;
  private static final int HLL_START = 40;

  private static final int KIND_COUPONS = 0;
  private static final int KIND_REGISTERS = 1;

  private final int lgK;
  private final ValueCodec codec;

  HllAggregator(DataType inputType, int lgK) {
    super(AggregationFunction.APPROX_COUNT_DISTINCT, inputType, DataType.LONG);
    this.lgK = lgK;
    this.codec = ValueCodec.of(inputType);
  }

  @Override
  public Union create() {
    return new Union(lgK);
  }

  @Override
  public Union update(Union ir, Object value, long eventMicros) {
    if (value == null) {
      return ir;
    }
    Object v = codec.normalize(codec.check(value, function(), inputType()));
    switch (codec) {
      case LONG -> ir.update((long) (Long) v);
      case DOUBLE -> ir.update((double) (Double) v);
      case BOOLEAN -> ir.update((Boolean) v ? 1L : 0L);
      case STRING -> {
        String s = (String) v;
        if (s.isEmpty()) {
          ir.update(EMPTY_STRING_KEY);
        } else {
          ir.update(s);
        }
      }
    }
    return ir;
  }

  @Override
  public Union merge(Union a, Union b) {
    a.update(b.getResult(TgtHllType.HLL_8)); // getResult copies: b is unchanged
    return a;
  }

  @Override
  public Object finish(Union ir) {
    return Math.round(canonicalSketch(State.of(ir)).getEstimate());
  }

  @Override
  public Union copy(Union ir) {
    Union copy = new Union(lgK);
    copy.update(ir.getResult(TgtHllType.HLL_8));
    return copy;
  }

  @Override
  void encodeBody(Union ir, DataOutput out) throws IOException {
    State state = State.of(ir);
    out.writeByte(lgK);
    if (state.registers == null) {
      out.writeByte(KIND_COUPONS);
      long[] keys = new long[state.coupons.length];
      for (int i = 0; i < keys.length; i++) {
        int coupon = state.coupons[i];
        keys[i] = ((long) (coupon & 0x3FFFFFF) << 6) | (coupon >>> 26);
      }
      Arrays.sort(keys);
      Varints.writeCount(out, keys.length);
      long previous = 0;
      for (long key : keys) {
        Varints.writeUnsignedLong(out, key - previous);
        previous = key;
      }
    } else {
      out.writeByte(KIND_REGISTERS);
      byte[] registers = state.registers;
      int base = 64;
      for (byte r : registers) {
        base = Math.min(base, r);
      }
      Varints.writeCount(out, base);
      int exceptions = 0;
      for (int i = 0; i < registers.length; i += 2) {
        int hiNibble = Math.min(registers[i] - base, 15);
        int loNibble = Math.min(registers[i + 1] - base, 15);
        exceptions += (hiNibble == 15 ? 1 : 0) + (loNibble == 15 ? 1 : 0);
        out.writeByte(hiNibble << 4 | loNibble);
      }
      Varints.writeCount(out, exceptions);
      int previous = 0;
      for (int slot = 0; slot < registers.length; slot++) {
        if (registers[slot] - base >= 15) {
          Varints.writeCount(out, slot - previous);
          out.writeByte(registers[slot]);
          previous = slot;
        }
      }
    }
  }

  @Override
  Union decodeBody(DataInput in) throws IOException {
    int encodedLgK = in.readUnsignedByte();
    if (encodedLgK != lgK) {
      throw new IOException("lgK " + encodedLgK + " does not match the aggregation's lgK " + lgK);
    }
    int kind = in.readUnsignedByte();
    State state;
    if (kind == KIND_COUPONS) {
      int count = Varints.readCount(in);
      if (count > (3 << (lgK - 3)) / 4 + LIST_MAX + 1) {
        throw new IOException(count + " coupons is more than an exact-mode sketch holds");
      }
      int[] coupons = new int[count];
      long key = 0;
      for (int i = 0; i < count; i++) {
        key += Varints.readUnsignedLong(in);
        if (key >= 1L << 32) {
          throw new IOException("invalid coupon");
        }
        coupons[i] = (int) ((key & 63) << 26 | (key >>> 6));
      }
      state = new State(coupons, null);
    } else if (kind == KIND_REGISTERS) {
      int base = Varints.readCount(in);
      byte[] registers = new byte[1 << lgK];
      for (int i = 0; i < registers.length; i += 2) {
        int b = in.readUnsignedByte();
        registers[i] = (byte) (base + (b >>> 4));
        registers[i + 1] = (byte) (base + (b & 15));
      }
      int exceptions = Varints.readCount(in);
      int slot = 0;
      for (int i = 0; i < exceptions; i++) {
        slot += Varints.readCount(in);
        if (slot >= registers.length) {
          throw new IOException("invalid register slot " + slot);
        }
        registers[slot] = in.readByte();
      }
      for (byte r : registers) {
        if (r < 0 || r > 63) {
          throw new IOException("invalid register value " + r);
        }
      }
      state = new State(null, registers);
    } else {
      throw new IOException("invalid sketch kind " + kind);
    }
    Union union = new Union(lgK);
    union.update(canonicalSketch(state));
    return union;
  }

  /** A sketch built only from the order-independent state: sorted coupons or registers. */
  private HllSketch canonicalSketch(State state) {
    ByteBuffer image;
    if (state.registers == null) {
      int[] coupons = state.coupons.clone();
      Arrays.sort(coupons);
      int count = coupons.length;
      boolean list = count <= LIST_MAX;
      int start = list ? LIST_START : SET_START;
      image = ByteBuffer.allocate(start + 4 * count).order(ByteOrder.LITTLE_ENDIAN);
      image.put(0, (byte) (list ? LIST_PREINTS : SET_PREINTS));
      image.put(4, (byte) (list ? 3 : 5)); // lg of the initial list / set array
      image.put(5, (byte) (COMPACT_FLAG | (count == 0 ? EMPTY_FLAG : 0)));
      image.put(6, (byte) (list ? count : 0));
      image.put(7, (byte) (HLL_8 | (list ? MODE_LIST : MODE_SET)));
      if (!list) {
        image.putInt(8, count);
      }
      for (int i = 0; i < count; i++) {
        image.putInt(start + 4 * i, coupons[i]);
      }
    } else {
      byte[] registers = state.registers;
      // kxq0/kxq1 are sums of powers of two that fit a double exactly, so summation order is moot
      double kxq0 = 0;
      double kxq1 = 0;
      int curMin = 64;
      int numAtCurMin = 0;
      for (byte r : registers) {
        if (r < 32) {
          kxq0 += Math.scalb(1.0, -r);
        } else {
          kxq1 += Math.scalb(1.0, -r);
        }
        if (r < curMin) {
          curMin = r;
          numAtCurMin = 1;
        } else if (r == curMin) {
          numAtCurMin++;
        }
      }
      image = ByteBuffer.allocate(HLL_START + registers.length).order(ByteOrder.LITTLE_ENDIAN);
      image.put(0, (byte) HLL_PREINTS);
      // out of order: estimate with the composite estimator from the registers, never HIP
      image.put(5, (byte) OUT_OF_ORDER_FLAG);
      image.put(6, (byte) curMin);
      image.put(7, (byte) (HLL_8 | MODE_HLL));
      image.putDouble(8, 0.0);
      image.putDouble(16, kxq0);
      image.putDouble(24, kxq1);
      image.putInt(32, numAtCurMin);
      image.putInt(36, 0);
      image.put(HLL_START, registers);
    }
    image.put(1, (byte) SER_VER);
    image.put(2, (byte) FAMILY_ID);
    image.put(3, (byte) lgK);
    return HllSketch.heapify(Memory.wrap(image.array()));
  }

  /** The order-independent content of a union: its coupons (exact modes) or its registers. */
  private record State(int[] coupons, byte[] registers) {
    static State of(Union union) {
      ByteBuffer image = ByteBuffer.wrap(union.toCompactByteArray()).order(ByteOrder.LITTLE_ENDIAN);
      int mode = image.get(7) & 3;
      if ((image.get(7) & 12) != HLL_8 && mode == MODE_HLL) {
        throw new IllegalStateException("Cannot read HLL registers: the union is not HLL_8");
      }
      switch (mode) {
        case MODE_LIST -> {
          int count = image.get(6) & 0xFF;
          return new State(readInts(image, LIST_START, count), null);
        }
        case MODE_SET -> {
          int count = image.getInt(8);
          return new State(readInts(image, SET_START, count), null);
        }
        default -> {
          byte[] registers = new byte[1 << (image.get(3) & 0xFF)];
          image.get(HLL_START, registers);
          return new State(null, registers);
        }
      }
    }

    private static int[] readInts(ByteBuffer image, int start, int count) {
      int[] ints = new int[count];
      for (int i = 0; i < count; i++) {
        ints[i] = image.getInt(start + 4 * i);
      }
      return ints;
    }
  }
}
