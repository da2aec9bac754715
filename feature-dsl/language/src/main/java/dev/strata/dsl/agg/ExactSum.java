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
 * integer; the rest go to a fractional part scaled by the smallest exponent seen, itself a
 * 128-bit integer while it fits (sums of doubles of similar magnitude, and their squares, do) and
 * a {@link BigInteger} otherwise. Only the total is ever observed (by {@link #write} and the
 * finish conversions), never how it is split, so results and bytes depend only on the multiset
 * of inputs.
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
  // fractional or huge part: fhi:flo * 2^scale while big is null, else big * 2^scale
  private long flo;
  private long fhi;
  private BigInteger big;
  private int scale;
  // the 128-bit form keeps |fhi:flo| < 2^FAST_BITS, so one more addition cannot overflow
  private static final int FAST_BITS = 126;
  private int flags;

  ExactSum copy() {
    ExactSum copy = new ExactSum();
    copy.lo = lo;
    copy.hi = hi;
    copy.flo = flo;
    copy.fhi = fhi;
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
        // at most 53 bits, so the square fits 106 bits: a 128-bit product
        addFraction(Math.multiplyHigh(mantissa, mantissa), mantissa * mantissa, 2 * e);
      }
    }
  }

  void add(ExactSum other) {
    long sum = lo + other.lo;
    long carry = Long.compareUnsigned(sum, lo) < 0 ? 1 : 0;
    hi += other.hi + carry;
    lo = sum;
    if (other.big != null) {
      if (other.big.signum() != 0) {
        addBig(other.big, other.scale);
      }
    } else if ((other.fhi | other.flo) != 0) {
      addFraction(other.fhi, other.flo, other.scale);
    }
    flags |= other.flags;
  }

  // m * 2^e where |m| has bitLength bits
  private void addDyadic(long m, int bitLength, int e) {
    if (e >= 0 && bitLength + e <= 62) {
      addLong(m << e);
    } else {
      addFraction(m >> 63, m, e);
    }
  }

  /** Adds m * 2^e for any long m (a decoded mantissa of at most 8 bytes). */
  private void addSmallDyadic(long m, int e) {
    addFraction(m >> 63, m, e);
  }

  /** Adds (mhi:mlo) * 2^e, a 128-bit two's complement integer times a power of two, to the fractional part. */
  private void addFraction(long mhi, long mlo, int e) {
    if (big == null) {
      if ((fhi | flo) == 0) {
        if (bitLength(mhi, mlo) < FAST_BITS) {
          fhi = mhi;
          flo = mlo;
          scale = e;
          return;
        }
      } else if (addFast(mhi, mlo, e)) {
        return;
      }
      spill();
    }
    addBig(toBigInteger(mhi, mlo), e);
  }

  /** Adds in the 128-bit form if the aligned operands and the sum fit it; else changes nothing and says false. */
  private boolean addFast(long mhi, long mlo, int e) {
    long ahi = fhi;
    long alo = flo;
    long bhi = mhi;
    long blo = mlo;
    int sumScale = scale;
    if (e >= scale) {
      long shift = (long) e - scale;
      if (bitLength(mhi, mlo) + shift >= FAST_BITS) {
        return false;
      }
      bhi = shiftLeftHigh(mhi, mlo, (int) shift);
      blo = shiftLeftLow(mlo, (int) shift);
    } else {
      long shift = (long) scale - e;
      if (bitLength(fhi, flo) + shift >= FAST_BITS || bitLength(mhi, mlo) >= FAST_BITS) {
        return false;
      }
      ahi = shiftLeftHigh(fhi, flo, (int) shift);
      alo = shiftLeftLow(flo, (int) shift);
      sumScale = e;
    }
    // both below 2^126 in magnitude: the 128-bit sum cannot overflow
    long sumLo = alo + blo;
    long sumHi = ahi + bhi + (Long.compareUnsigned(sumLo, alo) < 0 ? 1 : 0);
    if (bitLength(sumHi, sumLo) >= FAST_BITS) {
      return false;
    }
    fhi = sumHi;
    flo = sumLo;
    scale = sumScale;
    return true;
  }

  /** Moves the fractional part to the BigInteger form, for good. */
  private void spill() {
    big = toBigInteger(fhi, flo);
    fhi = 0;
    flo = 0;
  }

  private boolean fractionIsZero() {
    return big == null ? (fhi | flo) == 0 : big.signum() == 0;
  }

  /** Bits of a 128-bit two's complement integer, without the sign bit (as {@link BigInteger#bitLength}). */
  static int bitLength(long hi, long lo) {
    if (hi == (lo >> 63)) {
      return 64 - Long.numberOfLeadingZeros(lo ^ (lo >> 63));
    }
    return 128 - Long.numberOfLeadingZeros(hi ^ (hi >> 63));
  }

  // 128-bit shifts left by 0 <= d < 126 of a value with fewer than 126 - d bits (so nothing overflows)
  private static long shiftLeftHigh(long hi, long lo, int d) {
    if (d == 0) {
      return hi;
    }
    return d < 64 ? (hi << d) | (lo >>> (64 - d)) : lo << (d - 64);
  }

  private static long shiftLeftLow(long lo, int d) {
    return d < 64 ? lo << d : 0;
  }

  static BigInteger toBigInteger(long hi, long lo) {
    if (hi == (lo >> 63)) {
      return BigInteger.valueOf(lo);
    }
    return BigInteger.valueOf(hi).shiftLeft(64)
        .add(BigInteger.valueOf(lo >>> 32).shiftLeft(32))
        .add(BigInteger.valueOf(lo & 0xFFFFFFFFL));
  }

  private void addBig(BigInteger m, int e) {
    if (big == null) {
      spill();
    }
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
    BigInteger fast = toBigInteger(hi, lo);
    BigInteger fraction = big != null ? big : toBigInteger(fhi, flo);
    BigInteger m;
    int e;
    if (fraction.signum() == 0) {
      m = fast;
      e = 0;
    } else if (scale >= 0) {
      m = fraction.shiftLeft(scale).add(fast);
      e = 0;
    } else {
      m = fraction.add(fast.shiftLeft(-scale));
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
    double fast = quotient128(1);
    if (!Double.isNaN(fast)) {
      return fast;
    }
    Dyadic v = value();
    return ExactMath.toDouble(v.mantissa(), v.exponent());
  }

  /** The finite part divided by {@code count} (an average), correctly rounded; no NaN or infinity flag may be set. */
  double divideToDouble(long count) {
    double fast = quotient128(count);
    if (!Double.isNaN(fast)) {
      return fast;
    }
    Dyadic v = value();
    return ExactMath.divideToDouble(v.mantissa(), v.exponent(), BigInteger.valueOf(count));
  }

  /**
   * The finite part / den without a BigInteger when it is one 128-bit integer times a power of
   * two ({@link #exact128}); NaN when not, or when {@link ExactMath#divideToDouble128} declines.
   */
  private double quotient128(long den) {
    long[] v = exact128();
    return v == null ? Double.NaN : ExactMath.divideToDouble128(v[0], v[1], v[2], den);
  }

  /**
   * The finite part as {hi, lo, e}: the 128-bit two's complement integer hi:lo times 2^e, when
   * both parts are in their 128-bit forms and align into one below 2^126 (sums of doubles of
   * similar magnitude, and their squares, do); else null.
   */
  long[] exact128() {
    if (big != null) {
      return null;
    }
    if ((fhi | flo) == 0) {
      return new long[] {hi, lo, 0};
    } else if ((hi | lo) == 0) {
      return new long[] {fhi, flo, scale};
    } else if (scale < 0 && bitLength(hi, lo) - (long) scale < FAST_BITS) {
      // integral part shifted onto the fraction's grid: both below 2^126, so the sum fits
      int d = -scale;
      long ahi = shiftLeftHigh(hi, lo, d);
      long alo = shiftLeftLow(lo, d);
      long sumLo = alo + flo;
      long sumHi = ahi + fhi + (Long.compareUnsigned(sumLo, alo) < 0 ? 1 : 0);
      return new long[] {sumHi, sumLo, scale};
    }
    return null;
  }

  /** The sum if it is an integer that fits a long, else null. */
  Long toLongOrNull() {
    if (fractionIsZero() && hi == (lo >> 63)) {
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
    long[] fast = exact128();
    if (fast != null) {
      write128(out, fast[0], fast[1], fast[2]);
    } else {
      writeThroughBigInteger(out);
    }
  }

  /** {@link #write} of (hi:lo)·2^e without a BigInteger: the same bytes (the writer encodes every roll-up). */
  private void write128(DataOutput out, long hi, long lo, long e) throws IOException {
    if ((hi | lo) == 0) {
      out.writeByte(flags | KIND_ZERO << 3);
      return;
    }
    // the odd mantissa: shift the trailing zeros into the exponent (arithmetic shift keeps the sign)
    int tz = lo != 0 ? Long.numberOfTrailingZeros(lo) : 64 + Long.numberOfTrailingZeros(hi);
    if (tz >= 64) {
      lo = hi >> (tz - 64);
      hi = hi >> 63;
    } else if (tz > 0) {
      lo = (lo >>> tz) | (hi << (64 - tz));
      hi = hi >> tz;
    }
    e += tz;
    int bits = bitLength(hi, lo);
    if (e >= 0 && bits + e <= 63) {
      out.writeByte(flags | KIND_LONG << 3);
      Varints.writeSignedLong(out, lo << e);
    } else {
      out.writeByte(flags | KIND_DYADIC << 3);
      Varints.writeSignedLong(out, e);
      // BigInteger.toByteArray's form: minimal two's complement, big-endian
      byte[] mantissa = new byte[bits / 8 + 1];
      for (int i = 0; i < mantissa.length; i++) {
        int k = mantissa.length - 1 - i; // byte k counts from the least significant
        mantissa[i] = (byte) (k < 8 ? lo >>> (8 * k) : hi >>> (8 * (k - 8)));
      }
      Varints.writeBytes(out, mantissa);
    }
  }

  /** {@link #write} through {@link #value}: any size. */
  void writeThroughBigInteger(DataOutput out) throws IOException {
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
    ExactSum sum = new ExactSum();
    sum.addEncoded(in);
    return sum;
  }

  /** Adds the sum that {@link #write} wrote, without building it first. */
  void addEncoded(DataInput in) throws IOException {
    int header = in.readUnsignedByte();
    switch (header >>> 3) {
      case KIND_ZERO:
        break;
      case KIND_LONG:
        addLong(Varints.readSignedLong(in));
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
          addSmallDyadic(m, (int) e);
        } else if (length <= 16) {
          // up to 128 bits (sums of squares of doubles): hi:lo, sign-extended from the first byte
          long lo = in.readByte();
          long hi = lo >> 63;
          for (int i = 1; i < length; i++) {
            hi = (hi << 8) | (lo >>> 56);
            lo = (lo << 8) | in.readUnsignedByte();
          }
          addFraction(hi, lo, (int) e);
        } else {
          byte[] mantissa = new byte[length];
          in.readFully(mantissa);
          addBig(new BigInteger(mantissa), (int) e);
        }
        break;
      default:
        throw new IOException("invalid exact sum header " + header);
    }
    flags |= header & FLAG_MASK;
  }

  /** An exact value {@code mantissa * 2^exponent}. */
  record Dyadic(BigInteger mantissa, int exponent) {}
}
