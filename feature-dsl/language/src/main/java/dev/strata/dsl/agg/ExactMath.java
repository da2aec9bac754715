package dev.strata.dsl.agg;

import java.math.BigInteger;

/**
 * Correctly rounded (round half to even) conversions of exact dyadic rationals to double. The
 * exact aggregations keep exact sums and round once at finish, so the result depends only on
 * the multiset of inputs, never on the order in which they were added or merged.
 */
final class ExactMath {
  // Bits beyond a double's 53 kept before the final rounding; 2 would do (half bit + sticky).
  private static final int GUARD_BITS = 55;

  private ExactMath() {}

  /** The double nearest to {@code m * 2^e}. */
  static double toDouble(BigInteger m, long e) {
    int sign = m.signum();
    if (sign == 0) {
      return 0.0;
    }
    BigInteger a = m.abs();
    int len = a.bitLength();
    long top = len - 1 + e; // binary exponent of the leading bit
    double magnitude;
    if (top > 1023) {
      magnitude = Double.POSITIVE_INFINITY;
    } else if (top >= -1022) {
      // normal: keep 53 significant bits; rounding up to 2^53 or into 2^1024 is handled by scalb
      long shift = len - 53L;
      BigInteger q = shift <= 0 ? a.shiftLeft((int) -shift) : roundHalfEven(a, shift);
      magnitude = Math.scalb(q.doubleValue(), (int) (e + shift));
    } else {
      // subnormal: the grid is 2^-1074, and the bits of a subnormal double are that integer
      long shift = -1074 - e;
      BigInteger q = shift <= 0 ? a.shiftLeft((int) -shift) : roundHalfEven(a, shift);
      magnitude = Double.longBitsToDouble(q.longValueExact());
    }
    return sign < 0 ? -magnitude : magnitude;
  }

  /**
   * The double nearest to {@code (hi:lo) * 2^e / den}, where hi:lo is a 128-bit two's
   * complement integer and {@code 0 < den < 2^31}, without a BigInteger: the finish of sums and
   * averages on the online read path. NaN when this path cannot promise the correctly rounded
   * result (a subnormal or overflowing result, a divisor of 2^31 or more, the value -2^127); the
   * caller then takes {@link #toDouble} or {@link #divideToDouble}, which agree wherever this one
   * answers.
   */
  static double divideToDouble128(long hi, long lo, long e, long den) {
    if ((hi | lo) == 0) {
      return 0.0;
    }
    if (den <= 0 || den >= 1L << 31) {
      return Double.NaN;
    }
    boolean negative = hi < 0;
    if (negative) {
      lo = -lo;
      hi = ~hi + (lo == 0 ? 1 : 0);
      if (hi < 0) {
        return Double.NaN; // -2^127 has no positive twin
      }
    }
    double magnitude;
    if (den == 1) {
      magnitude = toDouble128(hi, lo, e);
    } else {
      // Quotient bits ≈ len + k - bits(den): shift the dividend so that at least 55 survive
      // (2 below a double's 53 for the rounding). len + k stays at most 127, so it fits.
      int len = bitLength128(hi, lo);
      int k = Math.max(0, 55 + (64 - Long.numberOfLeadingZeros(den)) - len);
      long shi = k == 0 ? hi : k < 64 ? (hi << k) | (lo >>> (64 - k)) : lo << (k - 64);
      long slo = k < 64 ? lo << k : 0;
      // Long division by 32-bit digits: each partial dividend (r << 32 | digit) < den * 2^32 < 2^63.
      long r = 0;
      long q3 = ((r << 32) | (shi >>> 32)) / den;
      r = ((r << 32) | (shi >>> 32)) % den;
      long q2 = ((r << 32) | (shi & 0xFFFFFFFFL)) / den;
      r = ((r << 32) | (shi & 0xFFFFFFFFL)) % den;
      long q1 = ((r << 32) | (slo >>> 32)) / den;
      r = ((r << 32) | (slo >>> 32)) % den;
      long q0 = ((r << 32) | (slo & 0xFFFFFFFFL)) / den;
      r = ((r << 32) | (slo & 0xFFFFFFFFL)) % den;
      long qhi = (q3 << 32) | q2;
      long qlo = (q1 << 32) | q0;
      // 2q + (remainder ≠ 0): no rounding boundary of the ≥ 56-bit 2q lies strictly between 2q
      // and 2q + 2, so this rounds as the exact quotient does. den ≥ 2 keeps q < 2^126.
      long twiceHi = (qhi << 1) | (qlo >>> 63);
      long twiceLo = (qlo << 1) | (r != 0 ? 1 : 0);
      magnitude = toDouble128(twiceHi, twiceLo, e - k - 1);
    }
    return negative ? -magnitude : magnitude;
  }

  /** The double nearest to {@code (hi:lo) * 2^e} for 0 < hi:lo < 2^127, or NaN when not normal. */
  private static double toDouble128(long hi, long lo, long e) {
    int len = bitLength128(hi, lo);
    long top;
    int shift;
    if (len <= 62) {
      top = lo;
      shift = 0;
    } else {
      // Keep the top 62 bits and fold the rest into a sticky bit 0, below the rounding point
      // (62 − 53 bits down), so that (double) top rounds exactly as the whole value does.
      shift = len - 62;
      boolean sticky;
      if (shift < 64) {
        top = (hi << (64 - shift)) | (lo >>> shift);
        sticky = (lo & ((1L << shift) - 1)) != 0;
      } else {
        top = hi >>> (shift - 64);
        sticky = lo != 0 || (hi & ((1L << (shift - 64)) - 1)) != 0;
      }
      if (sticky) {
        top |= 1;
      }
    }
    double d = (double) top; // one rounding, half to even
    long exponent = Math.getExponent(d) + shift + e;
    if (exponent < Double.MIN_EXPONENT || exponent > Double.MAX_EXPONENT) {
      return Double.NaN; // scalb would round a second time (subnormal) or overflow
    }
    return Math.scalb(d, (int) (shift + e));
  }

  private static int bitLength128(long hi, long lo) {
    return hi != 0 ? 128 - Long.numberOfLeadingZeros(hi) : 64 - Long.numberOfLeadingZeros(lo);
  }

  /** The double nearest to {@code num * 2^e / den}; {@code den} is positive. */
  static double divideToDouble(BigInteger num, long e, BigInteger den) {
    if (num.signum() == 0) {
      return 0.0;
    }
    BigInteger a = num.abs();
    int s = Math.max(0, den.bitLength() - a.bitLength() + GUARD_BITS);
    BigInteger[] qr = a.shiftLeft(s).divideAndRemainder(den);
    BigInteger q = qr[0];
    if (qr[1].signum() != 0) {
      // a sticky bit below every rounding position stands for the non-zero remainder
      q = q.shiftLeft(1).setBit(0);
      s += 1;
    }
    return toDouble(num.signum() < 0 ? q.negate() : q, e - s);
  }

  /** The double nearest to the square root of {@code num * 2^e / den}; num ≥ 0, den > 0. */
  static double sqrtToDouble(BigInteger num, long e, BigInteger den) {
    if (num.signum() < 0) {
      throw new IllegalArgumentException("Cannot take the square root of a negative value");
    }
    if (num.signum() == 0) {
      return 0.0;
    }
    // Floating point lands within an ulp or two of the answer; exact comparisons with the
    // squares of the rounding midpoints then pick the correctly rounded double. This avoids a
    // big-integer square root.
    double y = roundedSqrt(estimateSqrt(num, e, den),
        (mid, midExp) -> compareWithSquare(num, e, den, BigInteger.valueOf(mid), midExp));
    return Double.isNaN(y) ? sqrtByIntegerRoot(num, e, den) : y; // subnormal, overflowing or far-off estimates
  }

  /** The sign of {@code x - (mid * 2^midExp)^2} for the exact x whose square root is wanted. */
  private interface SquareComparison {
    int signAgainst(long mid, long midExp);
  }

  /**
   * The correctly rounded square root of x, from an estimate y within a few ulps of it: x is
   * compared with the squares of y's rounding midpoints, moving y until x lies between them
   * (ties to even). NaN when the estimate is not normal or does not settle in four steps.
   */
  private static double roundedSqrt(double estimate, SquareComparison x) {
    double y = estimate;
    for (int step = 0; step < 4 && y >= Double.MIN_NORMAL && y < Double.MAX_VALUE; step++) {
      long bits = Double.doubleToRawLongBits(y);
      long m = (bits & 0xFFFFFFFFFFFFFL) | (1L << 52);
      long k = Math.getExponent(y) - 52L; // y = m * 2^k
      // upper midpoint (2m + 1) * 2^(k-1)
      int above = x.signAgainst(2 * m + 1, k - 1);
      if (above > 0) {
        y = Math.nextUp(y);
        continue;
      }
      if (above == 0) {
        return (m & 1) == 0 ? y : Math.nextUp(y);
      }
      // lower midpoint: (2m - 1) * 2^(k-1), or (4m - 1) * 2^(k-2) below a power of two
      int below = m == 1L << 52 ? x.signAgainst(4 * m - 1, k - 2) : x.signAgainst(2 * m - 1, k - 1);
      if (below < 0) {
        y = Math.nextDown(y);
        continue;
      }
      if (below == 0) {
        return (m & 1) == 0 ? y : Math.nextDown(y);
      }
      return y;
    }
    return Double.NaN;
  }

  /** sqrt(q * 2^exp), or NaN when the exponent is out of any range; q is a ratio of top bits. */
  private static double scaledSqrt(double q, long exp) {
    if ((exp & 1) != 0) {
      q *= 2;
      exp -= 1;
    }
    if (Math.abs(exp) > 4000) {
      return Double.NaN;
    }
    return Math.scalb(Math.sqrt(q), (int) (exp / 2));
  }

  /** sqrt(num * 2^e / den) to about 53 bits, or NaN when the exponent is out of any range. */
  private static double estimateSqrt(BigInteger num, long e, BigInteger den) {
    int numShift = Math.max(0, num.bitLength() - 62);
    int denShift = Math.max(0, den.bitLength() - 62);
    double q = num.shiftRight(numShift).doubleValue() / den.shiftRight(denShift).doubleValue();
    return scaledSqrt(q, e + numShift - denShift);
  }

  /** The sign of {@code num * 2^e / den - (mid * 2^midExp)^2}. */
  private static int compareWithSquare(BigInteger num, long e, BigInteger den, BigInteger mid, long midExp) {
    BigInteger left = num;
    BigInteger right = mid.multiply(mid).multiply(den);
    long rightExp = 2 * midExp;
    if (e > rightExp) {
      left = left.shiftLeft((int) (e - rightExp));
    } else if (rightExp > e) {
      right = right.shiftLeft((int) (rightExp - e));
    }
    return left.compareTo(right);
  }

  /**
   * {@link #sqrtToDouble} for {@code 0 < num < 2^256} and {@code 0 < den < 2^62} in fixed-width
   * arithmetic ({@link UInt256}): the same estimate and the same exact midpoint comparisons, so
   * the same double. NaN when this path declines (subnormal, overflowing or far-off estimates).
   */
  static double sqrtToDouble256(long[] num, long e, long den) {
    int length = UInt256.bitLength(num);
    if (length == 0 || den <= 0 || den >= 1L << 62) {
      return Double.NaN;
    }
    int shift = Math.max(0, length - 62);
    double estimate = scaledSqrt(UInt256.shiftRightToLong(num, shift) / (double) den, e + shift);
    return roundedSqrt(estimate, (mid, midExp) -> compareWithSquare256(num, e, den, mid, midExp));
  }

  /** The sign of {@code num * 2^e / den - (mid * 2^midExp)^2}, for mid < 2^56 and den < 2^62. */
  private static int compareWithSquare256(long[] num, long e, long den, long mid, long midExp) {
    long[] square = {mid * mid, UInt256.multiplyHighUnsigned(mid, mid), 0, 0};
    long[] right = UInt256.multiply(square, den); // below 2^174: never null
    long rightExp = 2 * midExp;
    // Compare the positions of the leading bits first; equal positions align within 256 bits.
    long leftTop = UInt256.bitLength(num) + e;
    long rightTop = UInt256.bitLength(right) + rightExp;
    if (leftTop != rightTop) {
      return leftTop > rightTop ? 1 : -1;
    }
    long low = Math.min(e, rightExp);
    return UInt256.compareShifted(num, e - low, right, rightExp - low);
  }

  /** The same as {@link #sqrtToDouble}, by an integer square root: slower, for any range. */
  static double sqrtByIntegerRoot(BigInteger num, long e, BigInteger den) {
    BigInteger n = num;
    long exp = e;
    if ((exp & 1) != 0) {
      n = n.shiftLeft(1);
      exp -= 1;
    }
    int s = Math.max(0, (den.bitLength() - n.bitLength() + 2 * GUARD_BITS + 1) / 2 + 1);
    BigInteger[] qr = n.shiftLeft(2 * s).divideAndRemainder(den);
    BigInteger r = qr[0].sqrt();
    long resultExp = exp / 2 - s;
    if (qr[1].signum() != 0 || !r.multiply(r).equals(qr[0])) {
      r = r.shiftLeft(1).setBit(0);
      resultExp -= 1;
    }
    return toDouble(r, resultExp);
  }

  /** {@code a / 2^shift} rounded half to even; a ≥ 0, shift ≥ 1. */
  private static BigInteger roundHalfEven(BigInteger a, long shift) {
    if (shift > a.bitLength()) {
      return BigInteger.ZERO; // a < 2^(shift-1): below one half
    }
    int sh = (int) shift;
    BigInteger q = a.shiftRight(sh);
    if (!a.testBit(sh - 1)) {
      return q;
    }
    boolean aboveHalf = a.getLowestSetBit() < sh - 1;
    return aboveHalf || q.testBit(0) ? q.add(BigInteger.ONE) : q;
  }
}
