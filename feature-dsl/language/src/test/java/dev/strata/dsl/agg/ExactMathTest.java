package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The once-only roundings against BigDecimal references. */
class ExactMathTest {
  private static final MathContext WIDE = new MathContext(400);

  private static BigDecimal exact(BigInteger m, int e) {
    BigDecimal value = new BigDecimal(m);
    return e >= 0
        ? value.multiply(new BigDecimal(BigInteger.ONE.shiftLeft(e)))
        : value.divide(new BigDecimal(BigInteger.ONE.shiftLeft(-e))); // a terminating decimal
  }

  @Test
  void toDoubleRoundsHalfToEven() {
    assertThat(ExactMath.toDouble(BigInteger.ONE, -1074)).isEqualTo(Double.MIN_VALUE);
    assertThat(ExactMath.toDouble(BigInteger.ONE, -1075)).isEqualTo(0.0); // half of MIN_VALUE, to even
    assertThat(ExactMath.toDouble(BigInteger.valueOf(3), -1075)).isEqualTo(2 * Double.MIN_VALUE);
    assertThat(ExactMath.toDouble(BigInteger.ONE, 1024)).isEqualTo(Double.POSITIVE_INFINITY);
    assertThat(ExactMath.toDouble(BigInteger.ONE.negate(), 1023)).isEqualTo(-0x1p1023);
    // 2^53 + 1 is a tie between 2^53 and 2^53 + 2: even mantissa wins
    assertThat(ExactMath.toDouble(BigInteger.ONE.shiftLeft(53).add(BigInteger.ONE), 0)).isEqualTo(0x1p53);
    assertThat(ExactMath.toDouble(BigInteger.ONE.shiftLeft(53).add(BigInteger.valueOf(3)), 0)).isEqualTo(0x1p53 + 4);
    // the midpoint between MAX_VALUE and 2^1024 is (2^54 - 1) * 2^970: just below it rounds down,
    // at it the tie goes to the even 2^1024, which overflows
    BigInteger max = BigInteger.ONE.shiftLeft(54).subtract(BigInteger.ONE); // 54 ones
    assertThat(ExactMath.toDouble(max.shiftLeft(1).subtract(BigInteger.ONE), 1024 - 55)).isEqualTo(Double.MAX_VALUE);
    assertThat(ExactMath.toDouble(max, 1024 - 54)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void toDoubleMatchesBigDecimal() {
    Random rnd = new Random(1);
    for (int i = 0; i < 3_000; i++) {
      BigInteger m = new BigInteger(1 + rnd.nextInt(200), rnd);
      if (rnd.nextBoolean()) {
        m = m.negate();
      }
      int e = rnd.nextInt(2400) - 1300;
      double expected = exact(m, e).doubleValue();
      assertThat(ExactMath.toDouble(m, e)).as("%s * 2^%d", m, e).isEqualTo(expected);
    }
  }

  @Test
  void divideAndSqrtMatchBigDecimal() {
    Random rnd = new Random(2);
    for (int i = 0; i < 3_000; i++) {
      BigInteger num = new BigInteger(1 + rnd.nextInt(150), rnd);
      BigInteger den = new BigInteger(1 + rnd.nextInt(70), rnd).add(BigInteger.ONE);
      int e = rnd.nextInt(200) - 100;
      BigDecimal value = exact(num, e).divide(new BigDecimal(den), WIDE);
      assertThat(ExactMath.divideToDouble(num, e, den)).as("%s * 2^%d / %s", num, e, den).isEqualTo(value.doubleValue());
      assertThat(ExactMath.divideToDouble(num.negate(), e, den)).isEqualTo(-value.doubleValue());
      assertThat(ExactMath.sqrtToDouble(num, e, den))
          .as("sqrt(%s * 2^%d / %s)", num, e, den)
          .isEqualTo(value.sqrt(WIDE).doubleValue());
    }
    // exact cases
    assertThat(ExactMath.divideToDouble(BigInteger.valueOf(5), 0, BigInteger.valueOf(3))).isEqualTo(5.0 / 3.0);
    assertThat(ExactMath.sqrtToDouble(BigInteger.valueOf(9), 2, BigInteger.ONE)).isEqualTo(6.0);
    assertThat(ExactMath.sqrtToDouble(BigInteger.ONE, -1, BigInteger.ONE)).isEqualTo(Math.sqrt(0.5));
  }

  /** The 128-bit fast path must answer every normal-range case, and exactly as the BigInteger path. */
  @Test
  void divideToDouble128AgreesWithTheBigIntegerPath() {
    Random rnd = new Random(3);
    int answered = 0;
    for (int i = 0; i < 200_000; i++) {
      BigInteger num = new BigInteger(1 + rnd.nextInt(126), rnd);
      if (rnd.nextBoolean()) {
        num = num.negate();
      }
      long den = switch (rnd.nextInt(4)) {
        case 0 -> 1;
        case 1 -> 1 + rnd.nextInt(1_000);
        case 2 -> 1 + rnd.nextInt(Integer.MAX_VALUE);
        default -> (1L << 31) + rnd.nextInt(1_000); // too wide for the fast path
      };
      int e = rnd.nextInt(10) == 0 ? rnd.nextInt(2_400) - 1_200 : rnd.nextInt(200) - 100;
      answered += checkDivide128(num, e, den) ? 1 : 0;
    }
    assertThat(answered).as("cases the fast path answered").isGreaterThan(100_000);
    // ties and near ties: (2^53 + odd) * 2^s sits exactly halfway between two doubles
    for (int i = 0; i < 20_000; i++) {
      BigInteger half = BigInteger.ONE.shiftLeft(53).add(BigInteger.valueOf(2L * rnd.nextInt(1 << 20) + 1));
      int s = rnd.nextInt(70);
      BigInteger m = half.shiftLeft(s).add(BigInteger.valueOf(rnd.nextInt(3) - 1)); // on, below, above
      long den = 1 + rnd.nextInt(7);
      assertThat(checkDivide128(m.multiply(BigInteger.valueOf(den)), rnd.nextInt(100) - 50, den)).isTrue();
    }
    // the edges: zero, -2^127 (declined), results near the subnormal and overflow limits
    assertThat(ExactMath.divideToDouble128(0, 0, 5, 3)).isEqualTo(0.0);
    assertThat(ExactMath.divideToDouble128(Long.MIN_VALUE, 0, 0, 1)).isNaN();
    assertThat(ExactMath.divideToDouble128(0, 1, -1022, 1)).isEqualTo(Double.MIN_NORMAL);
    assertThat(ExactMath.divideToDouble128(0, 1, -1023, 1)).isNaN(); // subnormal: declined
    assertThat(ExactMath.divideToDouble128(0, (1L << 53) - 1, 1023 - 52, 1)).isEqualTo(Double.MAX_VALUE);
    assertThat(ExactMath.divideToDouble128(0, 1, 1024, 1)).isNaN(); // overflow: declined
  }

  /** Checks one case; says whether the fast path answered (NaN is only allowed where it may decline). */
  private static boolean checkDivide128(BigInteger num, int e, long den) {
    long lo = num.longValue();
    long hi = num.shiftRight(64).longValue();
    double fast = ExactMath.divideToDouble128(hi, lo, e, den);
    double reference = ExactMath.divideToDouble(num, e, BigInteger.valueOf(den));
    if (Double.isNaN(fast)) {
      double magnitude = Math.abs(reference);
      assertThat(den >= 1L << 31 || magnitude < Double.MIN_NORMAL || magnitude >= 0x1p1023)
          .as("declined %s * 2^%d / %d = %s", num, e, den, reference).isTrue();
      return false;
    }
    assertThat(fast).as("%s * 2^%d / %d", num, e, den).isEqualTo(reference);
    if (den == 1) {
      assertThat(fast).isEqualTo(ExactMath.toDouble(num, e));
    }
    return true;
  }

  private static BigInteger big(long[] limbs) {
    BigInteger v = BigInteger.ZERO;
    for (int i = 3; i >= 0; i--) {
      v = v.shiftLeft(64).or(new BigInteger(Long.toUnsignedString(limbs[i])));
    }
    return v;
  }

  private static long[] limbs(BigInteger v) {
    long[] out = new long[4];
    for (int i = 0; i < 4; i++) {
      out[i] = v.shiftRight(64 * i).longValue();
    }
    return out;
  }

  private static BigInteger randomBits(Random rnd, int maxBits) {
    return new BigInteger(rnd.nextInt(maxBits + 1), rnd);
  }

  @Test
  void uint256AgreesWithBigInteger() {
    Random rnd = new Random(5);
    BigInteger limit = BigInteger.ONE.shiftLeft(256);
    for (int i = 0; i < 50_000; i++) {
      BigInteger a = randomBits(rnd, 256);
      BigInteger b = randomBits(rnd, rnd.nextBoolean() ? 64 : 256);
      long[] la = limbs(a);
      long[] lb = limbs(b);
      assertThat(big(la)).isEqualTo(a);
      assertThat(UInt256.bitLength(la)).isEqualTo(a.bitLength());
      assertThat(Integer.signum(UInt256.compare(la, lb))).isEqualTo(a.compareTo(b));
      BigInteger product = a.multiply(b);
      long[] p = UInt256.multiply(la, lb);
      if (product.compareTo(limit) >= 0) {
        assertThat(p).as("%s * %s overflows", a, b).isNull();
      } else {
        assertThat(big(p)).as("%s * %s", a, b).isEqualTo(product);
      }
      long scalar = rnd.nextBoolean() ? rnd.nextLong() : rnd.nextInt(1_000);
      BigInteger scalarBig = new BigInteger(Long.toUnsignedString(scalar));
      long[] scaled = UInt256.multiply(la, scalar);
      if (a.multiply(scalarBig).compareTo(limit) >= 0) {
        assertThat(scaled).isNull();
      } else {
        assertThat(big(scaled)).as("%s * %s", a, scalarBig).isEqualTo(a.multiply(scalarBig));
      }
      int shiftA = rnd.nextInt(257 - Math.max(1, a.bitLength()) + 1);
      int shiftB = rnd.nextInt(4) == 0 ? shiftA : rnd.nextInt(257 - Math.max(1, b.bitLength()) + 1);
      shiftA = Math.min(shiftA, 256 - a.bitLength());
      shiftB = Math.min(shiftB, 256 - b.bitLength());
      assertThat(Integer.signum(UInt256.compareShifted(la, shiftA, lb, shiftB)))
          .as("%s << %d vs %s << %d", a, shiftA, b, shiftB)
          .isEqualTo(a.shiftLeft(shiftA).compareTo(b.shiftLeft(shiftB)));
      assertThat(UInt256.compareShifted(la, shiftA, limbs(a.shiftLeft(shiftA)), 0)).isZero();
      int shift = rnd.nextInt(260);
      long[] shifted = UInt256.shiftLeft(la, shift);
      if (a.signum() != 0 && a.bitLength() + shift > 256) {
        assertThat(shifted).isNull();
      } else {
        assertThat(big(shifted)).as("%s << %d", a, shift).isEqualTo(a.shiftLeft(shift));
      }
      if (a.compareTo(b) >= 0) {
        assertThat(big(UInt256.subtract(la, lb))).isEqualTo(a.subtract(b));
      }
      if (a.bitLength() <= 127 + shift % 2) {
        BigInteger signed = rnd.nextBoolean() ? a.negate() : a;
        if (signed.bitLength() <= 127) {
          assertThat(big(UInt256.abs128(signed.shiftRight(64).longValue(), signed.longValue()))).isEqualTo(signed.abs());
        }
      }
      int right = rnd.nextInt(256);
      if (a.shiftRight(right).bitLength() <= 63) {
        assertThat(UInt256.shiftRightToLong(la, right)).isEqualTo(a.shiftRight(right).longValueExact());
      }
    }
  }

  /** The 256-bit square root must answer the normal-range cases, and exactly as the BigInteger path. */
  @Test
  void sqrtToDouble256AgreesWithTheBigIntegerPath() {
    Random rnd = new Random(6);
    int answered = 0;
    for (int i = 0; i < 100_000; i++) {
      BigInteger num = randomBits(rnd, 256).add(BigInteger.ONE).min(BigInteger.ONE.shiftLeft(256).subtract(BigInteger.ONE));
      long den = switch (rnd.nextInt(3)) {
        case 0 -> 1 + rnd.nextInt(1_000);
        case 1 -> 1 + (rnd.nextLong() >>> 2);
        default -> 1 + rnd.nextInt(Integer.MAX_VALUE);
      };
      int e = rnd.nextInt(10) == 0 ? rnd.nextInt(4_400) - 2_200 : rnd.nextInt(600) - 300;
      answered += checkSqrt256(num, e, den) ? 1 : 0;
    }
    assertThat(answered).as("cases the fast path answered").isGreaterThan(80_000);
    // ties and near ties: num * 2^e / den = (mid * 2^(k-1))^2 exactly, or one unit either side
    for (int i = 0; i < 20_000; i++) {
      long m = (1L << 52) | (rnd.nextLong() & 0xFFFFFFFFFFFFFL);
      if (i % 10 == 0) {
        m = 1L << 52;
      }
      BigInteger mid = BigInteger.valueOf(2 * m + 1);
      long den = 1 + (rnd.nextLong() >>> (2 + rnd.nextInt(60)));
      int s = rnd.nextInt(80);
      int k = rnd.nextInt(400) - 200;
      BigInteger square = mid.multiply(mid).multiply(BigInteger.valueOf(den)).shiftLeft(s);
      BigInteger num = square.add(BigInteger.valueOf(rnd.nextInt(3) - 1));
      assertThat(checkSqrt256(num, 2 * k - 2 - s, den)).as("answered a tie").isTrue();
    }
    assertThat(ExactMath.sqrtToDouble256(UInt256.of(9), 2, 1)).isEqualTo(6.0);
    assertThat(ExactMath.sqrtToDouble256(UInt256.of(0), 2, 1)).isNaN();
    assertThat(ExactMath.sqrtToDouble256(UInt256.of(1), -2148, 1)).isNaN(); // subnormal: declined
  }

  private static boolean checkSqrt256(BigInteger num, int e, long den) {
    double fast = ExactMath.sqrtToDouble256(limbs(num), e, den);
    double reference = ExactMath.sqrtToDouble(num, e, BigInteger.valueOf(den));
    if (Double.isNaN(fast)) {
      assertThat(reference < 0x1p-1020 || reference > 0x1p1020)
          .as("declined sqrt(%s * 2^%d / %d) = %s", num, e, den, reference).isTrue();
      return false;
    }
    assertThat(fast).as("sqrt(%s * 2^%d / %d)", num, e, den).isEqualTo(reference);
    return true;
  }

  @Test
  void sqrtRoundsTiesAndNearTiesLikeBigDecimal() {
    // x = (midpoint between two doubles)^2, and x one unit in the last of ~230 bits either side:
    // the estimate lands on either neighbour, and only the exact comparisons decide.
    Random rnd = new Random(4);
    for (int i = 0; i < 500; i++) {
      long m = (1L << 52) | (rnd.nextLong() & 0xFFFFFFFFFFFFFL);
      if (i % 10 == 0) {
        m = 1L << 52; // just above a power of two, where the lower neighbour is closer
      }
      BigInteger mid = BigInteger.valueOf(2 * m + 1);
      int k = rnd.nextInt(400) - 200;
      BigInteger den = BigInteger.valueOf(1 + rnd.nextInt(1000));
      BigInteger square = mid.multiply(mid).multiply(den); // sqrt(square * 2^(2k-2) / den) = mid * 2^(k-1)
      for (int delta = -1; delta <= 1; delta++) {
        BigInteger num = square.shiftLeft(120).add(BigInteger.valueOf(delta));
        int e = 2 * k - 2 - 120;
        BigDecimal value = exact(num, e).divide(new BigDecimal(den), WIDE);
        assertThat(ExactMath.sqrtToDouble(num, e, den))
            .as("sqrt(%s * 2^%d / %s)", num, e, den)
            .isEqualTo(value.sqrt(WIDE).doubleValue())
            .isEqualTo(ExactMath.sqrtByIntegerRoot(num, e, den));
      }
    }
    // subnormal and huge results take the integer root
    assertThat(ExactMath.sqrtToDouble(BigInteger.ONE, -2148, BigInteger.ONE)).isEqualTo(Math.sqrt(0x1p-1074) * 0x1p-537);
    assertThat(ExactMath.sqrtToDouble(BigInteger.ONE, 2046, BigInteger.ONE)).isEqualTo(0x1p1023);
    assertThat(ExactMath.sqrtToDouble(BigInteger.ONE, 2048, BigInteger.ONE)).isEqualTo(Double.POSITIVE_INFINITY);
  }

  @Test
  void exactSumRoundTripsEveryKind() throws Exception {
    Random rnd = new Random(3);
    for (int i = 0; i < 500; i++) {
      ExactSum sum = new ExactSum();
      BigDecimal reference = BigDecimal.ZERO;
      for (int j = 0; j < 20; j++) {
        double d = (rnd.nextDouble() - 0.5) * Math.pow(2, rnd.nextInt(200) - 100);
        sum.addDouble(d);
        reference = reference.add(new BigDecimal(d));
        long l = rnd.nextLong();
        sum.addLong(l);
        reference = reference.add(BigDecimal.valueOf(l));
      }
      assertThat(sum.toDouble()).isEqualTo(reference.doubleValue());
      java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
      sum.write(new java.io.DataOutputStream(bytes));
      ExactSum read = ExactSum.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
      assertThat(read.value()).isEqualTo(sum.value());
    }
    // mantissas of 1 to 16 bytes, both signs: the short ones decode through a long
    for (int bits = 1; bits <= 127; bits++) {
      for (int sign : new int[] {1, -1}) {
        BigInteger odd = new BigInteger(bits, rnd).setBit(0).setBit(bits - 1);
        double d = sign * odd.doubleValue() * Math.pow(2, -bits - 3); // fractional: the dyadic kind
        ExactSum sum = new ExactSum();
        sum.addDouble(d);
        sum.addDouble(Math.scalb(sign * 1.0, -200)); // a far exponent widens the mantissa
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        sum.write(new java.io.DataOutputStream(bytes));
        ExactSum read = ExactSum.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray())));
        assertThat(read.value()).as("%s", d).isEqualTo(sum.value());
        ExactSum single = new ExactSum();
        single.addDouble(d);
        bytes.reset();
        single.write(new java.io.DataOutputStream(bytes));
        assertThat(ExactSum.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))).value())
            .as("%s", d).isEqualTo(single.value());
      }
    }
  }
}
