package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleSupplier;
import org.junit.jupiter.api.Test;

/**
 * ExactSum against BigDecimal, an independent exact arithmetic: sums and sums of squares built in
 * random chunks, merged in random orders and through bytes, must equal the BigDecimal totals, in
 * every regime of the 128-bit fractional form (values of one magnitude stay in it, wide exponent
 * spreads leave it for BigInteger, and the two meet in merges).
 */
class ExactSumTest {

  private static BigDecimal exact(ExactSum sum) {
    ExactSum.Dyadic v = sum.value();
    BigDecimal m = new BigDecimal(v.mantissa());
    return v.exponent() >= 0
        ? m.multiply(new BigDecimal(BigInteger.TWO.pow(v.exponent())))
        : m.divide(new BigDecimal(BigInteger.TWO.pow(-v.exponent()))); // a terminating decimal
  }

  private static byte[] bytes(ExactSum sum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      sum.write(data);
    }
    return out.toByteArray();
  }

  private static byte[] bigIntegerBytes(ExactSum sum) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (DataOutputStream data = new DataOutputStream(out)) {
      sum.writeThroughBigInteger(data);
    }
    return out.toByteArray();
  }

  /** Regimes of doubles: one magnitude, decimals, a spread around the 126-bit edge, anything finite. */
  private static List<DoubleSupplier> regimes(Random rnd) {
    return List.of(
        () -> rnd.nextGaussian() * 20 + 50,
        () -> Math.round((rnd.nextDouble() - 0.5) * 2e6) / 100.0,
        () -> Math.scalb(rnd.nextDouble() - 0.5, rnd.nextInt(80) - 40),
        () -> Math.scalb(rnd.nextDouble() + 0.5, rnd.nextInt(14) - 7) * (rnd.nextBoolean() ? 1 : -1),
        () -> {
          double d = Double.longBitsToDouble(rnd.nextLong());
          return Double.isFinite(d) ? d : 0.0;
        },
        () -> rnd.nextInt(4) == 0 ? Double.MIN_VALUE * rnd.nextInt(1000) : (double) (rnd.nextInt(2001) - 1000));
  }

  @Test
  void sumsAndSquaresEqualBigDecimalInAnySplitAndOrder() throws IOException {
    Random rnd = new Random(2026);
    List<DoubleSupplier> regimes = regimes(rnd);
    for (int trial = 0; trial < 3_000; trial++) {
      DoubleSupplier first = regimes.get(rnd.nextInt(regimes.size()));
      DoubleSupplier second = regimes.get(rnd.nextInt(regimes.size()));
      int n = rnd.nextInt(200);
      List<Double> values = new ArrayList<>();
      List<Long> longs = new ArrayList<>();
      BigDecimal sum = BigDecimal.ZERO;
      BigDecimal squares = BigDecimal.ZERO;
      for (int i = 0; i < n; i++) {
        double d = (rnd.nextInt(4) == 0 ? second : first).getAsDouble();
        values.add(d);
        sum = sum.add(new BigDecimal(d));
        squares = squares.add(new BigDecimal(d).multiply(new BigDecimal(d)));
      }
      if (rnd.nextInt(5) == 0) {
        for (int i = 0; i < 5; i++) {
          long v = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(1000);
          longs.add(v);
          sum = sum.add(new BigDecimal(v));
        }
      }

      ExactSum single = new ExactSum();
      ExactSum singleSquares = new ExactSum();
      values.forEach(single::addDouble);
      values.forEach(singleSquares::addSquareOfDouble);
      longs.forEach(single::addLong);
      String context = "trial " + trial + " values " + values + " longs " + longs;
      assertThat(exact(single)).as("sum of " + context).isEqualByComparingTo(sum);
      assertThat(exact(singleSquares)).as("squares of " + context).isEqualByComparingTo(squares);

      ExactSum merged = mergeInChunks(values, longs, false, rnd);
      ExactSum mergedSquares = mergeInChunks(values, List.of(), true, rnd);
      assertThat(exact(merged)).as("merged sum of " + context).isEqualByComparingTo(sum);
      assertThat(exact(mergedSquares)).as("merged squares of " + context).isEqualByComparingTo(squares);
      assertThat(bytes(single)).as("bytes without BigInteger, " + context).isEqualTo(bigIntegerBytes(single));
      assertThat(bytes(singleSquares)).as("square bytes without BigInteger, " + context).isEqualTo(bigIntegerBytes(singleSquares));
      assertThat(bytes(merged)).as("bytes of " + context).isEqualTo(bytes(single));
      assertThat(bytes(mergedSquares)).as("bytes of squares of " + context).isEqualTo(bytes(singleSquares));
      assertThat(merged.toDouble()).as("rounded once: " + context).isEqualTo(sum.doubleValue());
    }
  }

  /** Random chunks, shuffled, merged by add() or straight from bytes by addEncoded(). */
  private static ExactSum mergeInChunks(List<Double> values, List<Long> longs, boolean squares, Random rnd)
      throws IOException {
    List<Double> shuffled = new ArrayList<>(values);
    Collections.shuffle(shuffled, rnd);
    List<ExactSum> chunks = new ArrayList<>();
    int at = 0;
    while (at < shuffled.size() || chunks.isEmpty()) {
      int end = Math.min(shuffled.size(), at + 1 + rnd.nextInt(40));
      ExactSum chunk = new ExactSum();
      for (double d : shuffled.subList(at, end)) {
        if (squares) {
          chunk.addSquareOfDouble(d);
        } else {
          chunk.addDouble(d);
        }
      }
      chunks.add(chunk);
      at = end;
    }
    longs.forEach(chunks.get(0)::addLong);
    ExactSum total = new ExactSum();
    for (ExactSum chunk : chunks) {
      if (rnd.nextBoolean()) {
        byte[] encoded = bytes(chunk);
        total.addEncoded(new ByteCursor(encoded, 0, encoded.length));
      } else {
        total.add(chunk);
      }
    }
    return total;
  }

  @Test
  void bitLengthMatchesBigInteger() {
    Random rnd = new Random(5);
    long[] edges = {0, 1, -1, Long.MAX_VALUE, Long.MIN_VALUE, 1L << 62, -(1L << 62)};
    for (int i = 0; i < 10_000; i++) {
      long hi = i < 49 ? edges[i % 7] : rnd.nextLong() >> rnd.nextInt(64);
      long lo = i < 49 ? edges[i / 7] : rnd.nextLong();
      assertThat(ExactSum.bitLength(hi, lo)).as("%d:%d", hi, lo)
          .isEqualTo(ExactSum.toBigInteger(hi, lo).bitLength());
      BigInteger expected = BigInteger.valueOf(hi).shiftLeft(64).add(new BigInteger(Long.toUnsignedString(lo)));
      assertThat(ExactSum.toBigInteger(hi, lo)).isEqualTo(expected);
    }
  }
}
