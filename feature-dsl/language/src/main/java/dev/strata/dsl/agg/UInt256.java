package dev.strata.dsl.agg;

/**
 * Unsigned integers below 2^256 as four little-endian 64-bit limbs: just enough arithmetic for
 * finishing variance and stddev of 128-bit exact sums without a BigInteger (the online reader
 * finishes them per request). Operations that would leave 256 bits answer null; callers then
 * take the BigInteger path.
 */
final class UInt256 {
  static final int BITS = 256;

  private UInt256() {}

  /** The magnitude of the 128-bit two's complement integer hi:lo. */
  static long[] abs128(long hi, long lo) {
    if (hi < 0) {
      lo = -lo;
      hi = ~hi + (lo == 0 ? 1 : 0);
    }
    return new long[] {lo, hi, 0, 0};
  }

  static long[] of(long unsigned) {
    return new long[] {unsigned, 0, 0, 0};
  }

  /** a · b, or null past 256 bits. */
  static long[] multiply(long[] a, long[] b) {
    long[] product = new long[4];
    for (int i = 0; i < 4; i++) {
      if (a[i] == 0) {
        continue;
      }
      long carry = 0;
      for (int j = 0; j < 4; j++) {
        if (i + j > 3) {
          if (b[j] != 0) {
            return null;
          }
          continue;
        }
        long plo = a[i] * b[j];
        long phi = multiplyHighUnsigned(a[i], b[j]);
        long sum = product[i + j] + plo;
        phi += Long.compareUnsigned(sum, plo) < 0 ? 1 : 0;
        long withCarry = sum + carry;
        phi += Long.compareUnsigned(withCarry, sum) < 0 ? 1 : 0;
        product[i + j] = withCarry;
        carry = phi; // a·b + product + carry < 2^128, so the high half cannot overflow
      }
      if (carry != 0) {
        return null;
      }
    }
    return product;
  }

  /** a · b for an unsigned b, or null past 256 bits. */
  static long[] multiply(long[] a, long b) {
    long[] product = new long[4];
    long carry = 0;
    for (int i = 0; i < 4; i++) {
      long plo = a[i] * b;
      long sum = plo + carry;
      carry = multiplyHighUnsigned(a[i], b) + (Long.compareUnsigned(sum, plo) < 0 ? 1 : 0);
      product[i] = sum;
    }
    return carry != 0 ? null : product;
  }

  /**
   * The sign of a·2^shiftA − b·2^shiftB, for shifts that keep both below 2^256 (values whose
   * leading bits sit at the same position, aligned), without building the shifted values.
   */
  static int compareShifted(long[] a, long shiftA, long[] b, long shiftB) {
    for (int i = 3; i >= 0; i--) {
      long x = limbOfShifted(a, shiftA, i);
      long y = limbOfShifted(b, shiftB, i);
      if (x != y) {
        return Long.compareUnsigned(x, y);
      }
    }
    return 0;
  }

  /** Limb i of a·2^shift (bits beyond 256 dropped). */
  private static long limbOfShifted(long[] a, long shift, int i) {
    int limbs = (int) Math.min(shift >>> 6, 4);
    int bits = (int) (shift & 63);
    int from = i - limbs;
    if (from < 0) {
      return 0;
    }
    long v = a[from] << bits;
    if (bits != 0 && from > 0) {
      v |= a[from - 1] >>> (64 - bits);
    }
    return v;
  }

  /** a · 2^shift, or null past 256 bits. */
  static long[] shiftLeft(long[] a, long shift) {
    int length = bitLength(a);
    if (length == 0 || shift == 0) {
      return a;
    }
    if (length + shift > BITS) {
      return null;
    }
    int limbs = (int) (shift >>> 6);
    int bits = (int) (shift & 63);
    long[] out = new long[4];
    for (int i = 3; i >= limbs; i--) {
      long v = a[i - limbs] << bits;
      if (bits != 0 && i - limbs - 1 >= 0) {
        v |= a[i - limbs - 1] >>> (64 - bits);
      }
      out[i] = v;
    }
    return out;
  }

  /** a − b for a ≥ b. */
  static long[] subtract(long[] a, long[] b) {
    long[] out = new long[4];
    long borrow = 0;
    for (int i = 0; i < 4; i++) {
      long d = a[i] - b[i];
      long b1 = Long.compareUnsigned(a[i], b[i]) < 0 ? 1 : 0;
      long d2 = d - borrow;
      long b2 = Long.compareUnsigned(d, borrow) < 0 ? 1 : 0;
      out[i] = d2;
      borrow = b1 | b2;
    }
    return out;
  }

  static int compare(long[] a, long[] b) {
    for (int i = 3; i >= 0; i--) {
      if (a[i] != b[i]) {
        return Long.compareUnsigned(a[i], b[i]);
      }
    }
    return 0;
  }

  static int bitLength(long[] a) {
    for (int i = 3; i >= 0; i--) {
      if (a[i] != 0) {
        return 64 * i + 64 - Long.numberOfLeadingZeros(a[i]);
      }
    }
    return 0;
  }

  static boolean isZero(long[] a) {
    return (a[0] | a[1] | a[2] | a[3]) == 0;
  }

  /** a / 2^shift truncated to a long, for 0 ≤ shift and a / 2^shift < 2^63. */
  static long shiftRightToLong(long[] a, int shift) {
    int limb = shift >>> 6;
    int bits = shift & 63;
    long v = a[limb] >>> bits;
    if (bits != 0 && limb + 1 < 4) {
      v |= a[limb + 1] << (64 - bits);
    }
    return v;
  }

  /** The high 64 bits of the unsigned 128-bit product (Math.unsignedMultiplyHigh arrives in Java 18). */
  static long multiplyHighUnsigned(long a, long b) {
    return Math.multiplyHigh(a, b) + ((a >> 63) & b) + ((b >> 63) & a);
  }
}
