package dev.strata.dsl.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.math.BigInteger;

/**
 * An exact sum of longs and doubles, with NaN and the infinities tracked as flags.
 *
 * <p>Every finite double is a dyadic rational {@code m * 2^e}, so the sum of any of them is
 * exact as a (big) integer times a power of two. Integral inputs take a fast path into a 128-bit
 * integer; the rest go to a {@link BigInteger} scaled by the smallest exponent seen. Only the
 * total is ever observed (by {@link #write} and the finish conversions), never the split between
 * the two, so results and bytes depend only on the multiset of inputs.
 */
final class ExactSum {
  static final int NAN = 1;
  static final int POS_INF = 2;
  static final int NEG_INF = 4;
  private static final int FLAG_MASK = 7;
  private static final int KIND_ZERO = 0;
  private static final int KIND_LONG = 1;
  private static final int KIND_DYADIC = 2;
  private static final long MAX_SQUARE_ROOT = 3037000499L; // floor(sqrt(Long.MAX_VALUE))

  // integral part: a 128-bit two's complement integer hi:lo
  private long lo;
  private long hi;
  // fractional or huge part: big * 2^scale
  private BigInteger big = BigInteger.ZERO;
  private int scale;
  private int flags;

  ExactSum copy() {
    ExactSum copy = new ExactSum();
    copy.lo = lo;
    copy.hi = hi;
    copy.big = big;
    copy.scale = scale;
    copy.flags = flags;
    return copy;
  }

  int flags() {
    return flags;
  }

  void addLong(long v) {
    long sum = lo + v;
    long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
    hi += (v >> 63) + carry;
    lo = sum;
  }

  void addDouble(double d) {
    if (Double.isNaN(d)) {
      flags |= NAN;
    } else if (Double.isInfinite(d)) {
      flags |= d > 0 ? POS_INF : NEG_INF;
    } else if (d != 0.0) {
      long mantissa = oddMantissa(d);
      int e = exponentOfOddMantissa(d);
      addDyadic(d < 0 ? -mantissa : mantissa, 64 - Long.numberOfLeadingZeros(mantissa), e);
    }
  }

  /** |d| = oddMantissa(d) · 2^exponentOfOddMantissa(d) for a finite non-zero d: the mantissa is odd. */
  private static long oddMantissa(double d) {
    long bits = Double.doubleToRawLongBits(d);
    long mantissa = bits & 0xFFFFFFFFFFFFFL;
    if (((bits >>> 52) & 0x7FF) != 0) {
      mantissa |= 1L << 52;
    }
    return mantissa >>> Long.numberOfTrailingZeros(mantissa);
  }

  private static int exponentOfOddMantissa(double d) {
    long bits = Double.doubleToRawLongBits(d);
    int biased = (int) ((bits >>> 52) & 0x7FF);
    long mantissa = bits & 0xFFFFFFFFFFFFFL;
    if (biased != 0) {
      mantissa |= 1L << 52;
    }
    return (biased == 0 ? -1074 : biased - 1075) + Long.numberOfTrailingZeros(mantissa);
  }

  /** Adds {@code v * v}, exactly. */
  void addSquareOfLong(long v) {
    if (v >= -MAX_SQUARE_ROOT && v <= MAX_SQUARE_ROOT) {
      addLong(v * v);
    } else {
      BigInteger b = BigInteger.valueOf(v);
      addBig(b.multiply(b), 0);
    }
  }

  /** Adds {@code d * d}, exactly (the square of a double is a dyadic rational too). */
  void addSquareOfDouble(double d) {
    if (Double.isNaN(d)) {
      flags |= NAN;
    } else if (Double.isInfinite(d)) {
      flags |= POS_INF;
    } else if (d != 0.0) {
      long mantissa = oddMantissa(d);
      int e = exponentOfOddMantissa(d);
      int bitLength = 64 - Long.numberOfLeadingZeros(mantissa);
      if (bitLength <= 31) {
        long square = mantissa * mantissa;
        addDyadic(square, 64 - Long.numberOfLeadingZeros(square), 2 * e);
      } else {
        BigInteger b = BigInteger.valueOf(mantissa);
        addBig(b.multiply(b), 2 * e);
      }
    }
  }

  void add(ExactSum other) {
    long sum = lo + other.lo;
    long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
    hi += other.hi + carry;
    lo = sum;
    if (other.big.signum() != 0) {
      addBig(other.big, other.scale);
    }
    flags |= other.flags;
  }

  // m * 2^e where |m| has bitLength bits
  private void addDyadic(long m, int bitLength, int e) {
    if (e >= 0 && bitLength + e <= 62) {
      addLong(m << e);
    } else {
      addBig(BigInteger.valueOf(m), e);
    }
  }

  private void addBig(BigInteger m, int e) {
    if (big.signum() == 0) {
      big = m;
      scale = e;
    } else if (e >= scale) {
      big = big.add(m.shiftLeft(e - scale));
    } else {
      big = big.shiftLeft(scale - e).add(m);
      scale = e;
    }
  }

  /** The finite part as {@code m * 2^e} with m odd, or (0, 0). */
  Dyadic value() {
    BigInteger fast;
    if (hi == (lo >> 63)) {
      fast = BigInteger.valueOf(lo);
    } else {
      fast = BigInteger.valueOf(hi).shiftLeft(64).add(BigInteger.valueOf(lo >>> 1).shiftLeft(1))
          .add(BigInteger.valueOf(lo & 1));
    }
    BigInteger m;
    int e;
    if (big.signum() == 0) {
      m = fast;
      e = 0;
    } else if (scale >= 0) {
      m = big.shiftLeft(scale).add(fast);
      e = 0;
    } else {
      m = big.add(fast.shiftLeft(-scale));
      e = scale;
    }
    if (m.signum() == 0) {
      return new Dyadic(BigInteger.ZERO, 0);
    }
    int tz = m.getLowestSetBit();
    return new Dyadic(m.shiftRight(tz), e + tz);
  }

  /** As a double: NaN if any NaN or both infinities, else an infinity, else rounded once. */
  double toDouble() {
    if ((flags & NAN) != 0 || (flags & (POS_INF | NEG_INF)) == (POS_INF | NEG_INF)) {
      return Double.NaN;
    } else if ((flags & POS_INF) != 0) {
      return Double.POSITIVE_INFINITY;
    } else if ((flags & NEG_INF) != 0) {
      return Double.NEGATIVE_INFINITY;
    }
    Dyadic v = value();
    return ExactMath.toDouble(v.mantissa(), v.exponent());
  }

  /** The sum if it is an integer that fits a long, else null. */
  Long toLongOrNull() {
    if (big.signum() == 0 && hi == (lo >> 63)) {
      return lo;
    }
    Dyadic v = value();
    if (v.exponent() >= 0 && v.mantissa().bitLength() + v.exponent() <= 63) {
      return v.mantissa().longValue() << v.exponent();
    }
    return null;
  }

  /**
   * One header byte (bits 0-2 the NaN/+Inf/-Inf flags, bits 3-4 the kind), then nothing for zero,
   * a zigzag varint for an integer that fits a long, or zigzag exponent + length-prefixed
   * two's complement odd mantissa otherwise. Each value has exactly one encoding.
   */
  void write(DataOutput out) throws IOException {
    Dyadic v = value();
    BigInteger m = v.mantissa();
    int e = v.exponent();
    if (m.signum() == 0) {
      out.writeByte(flags | KIND_ZERO << 3);
    } else if (e >= 0 && m.bitLength() + e <= 63) {
      out.writeByte(flags | KIND_LONG << 3);
      Varints.writeSignedLong(out, m.longValue() << e);
    } else {
      out.writeByte(flags | KIND_DYADIC << 3);
      Varints.writeSignedLong(out, e);
      Varints.writeBytes(out, m.toByteArray());
    }
  }

  static ExactSum read(DataInput in) throws IOException {
    int header = in.readUnsignedByte();
    ExactSum sum = new ExactSum();
    sum.flags = header & FLAG_MASK;
    switch (header >>> 3) {
      case KIND_ZERO:
        break;
      case KIND_LONG:
        sum.addLong(Varints.readSignedLong(in));
        break;
      case KIND_DYADIC:
        long e = Varints.readSignedLong(in);
        int length = Varints.readCount(in);
        if (length == 0 || e < -10_000 || e > 10_000) {
          throw new IOException("invalid exact sum");
        }
        if (length <= 8) {
          // two's complement, big-endian: a long holds it without a byte[] or BigInteger parse
          long m = in.readByte(); // sign-extends the first byte
          for (int i = 1; i < length; i++) {
            m = (m << 8) | in.readUnsignedByte();
          }
          sum.addBig(BigInteger.valueOf(m), (int) e);
        } else {
          byte[] mantissa = new byte[length];
          in.readFully(mantissa);
          sum.addBig(new BigInteger(mantissa), (int) e);
        }
        break;
      default:
        throw new IOException("invalid exact sum header " + header);
    }
    return sum;
  }

  /** An exact value {@code mantissa * 2^exponent}. */
  record Dyadic(BigInteger mantissa, int exponent) {}
}
