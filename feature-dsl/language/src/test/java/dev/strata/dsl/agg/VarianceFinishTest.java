package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.types.DataType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The fixed-width finish of variance and stddev (the online read's) against the BigInteger
 * finish, on the same exact moments: every answer it gives must be the same double.
 */
class VarianceFinishTest {

  @Test
  void fixedWidthFinishEqualsTheBigIntegerFinish() throws Exception {
    Random rnd = new Random(7);
    int answered = 0;
    int cases = 0;
    for (AggregationFunction fn : new AggregationFunction[] {AggregationFunction.STDDEV, AggregationFunction.VARIANCE}) {
      for (DataType type : new DataType[] {DataType.DOUBLE, DataType.LONG}) {
        VarianceAggregator agg = (VarianceAggregator) Aggregations.create(fn, java.util.List.of(), type);
        for (int c = 0; c < 3_000; c++) {
          int n = 2 + rnd.nextInt(c % 10 == 0 ? 5_000 : 60);
          VarianceAggregator.Moments left = agg.create();
          VarianceAggregator.Moments right = agg.create();
          int shape = rnd.nextInt(6);
          double center = shape == 5 ? Math.scalb(1.0, rnd.nextInt(200) - 100) : 50;
          for (int i = 0; i < n; i++) {
            Object value = type == DataType.LONG ? (Object) longValue(rnd, shape) : (Object) doubleValue(rnd, shape, center);
            if (rnd.nextBoolean()) {
              agg.update(left, value, i);
            } else {
              agg.update(right, value, i);
            }
          }
          // through the encoding too, as a read merges stored blocks
          VarianceAggregator.Moments merged = agg.mergeBody(agg.merge(agg.create(), left), cursor(agg, right));
          if (merged.count() < 2) {
            continue;
          }
          cases++;
          double fast = agg.finish128(merged);
          if (!Double.isNaN(fast)) {
            answered++;
            assertThat(fast).as("%s of %s, shape %d, n %d", fn, type, shape, n).isEqualTo(agg.finishBig(merged));
          }
        }
      }
    }
    assertThat(answered).as("cases the fixed-width finish answered of %d", cases).isGreaterThan(cases * 6 / 10);
  }

  private static ByteCursor cursor(VarianceAggregator agg, VarianceAggregator.Moments ir) throws Exception {
    java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
    agg.encodeBody(ir, new java.io.DataOutputStream(bytes));
    byte[] b = bytes.toByteArray();
    return new ByteCursor(b, 0, b.length);
  }

  private static long longValue(Random rnd, int shape) {
    return switch (shape) {
      case 0 -> rnd.nextInt(10);
      case 1 -> rnd.nextLong() >> rnd.nextInt(64);
      case 2 -> 1_000_000 + rnd.nextInt(3); // tiny spread around a big mean
      case 3 -> 7; // all equal: zero
      default -> rnd.nextInt() - (long) Integer.MIN_VALUE;
    };
  }

  private static double doubleValue(Random rnd, int shape, double center) {
    return switch (shape) {
      case 0 -> rnd.nextGaussian() * 20 + center; // the benchmark's amounts
      case 1 -> Math.scalb(rnd.nextDouble(), rnd.nextInt(120) - 60); // wide magnitudes
      case 2 -> 1e6 + rnd.nextInt(5) * 0.25; // tiny spread around a big mean
      case 3 -> 0.1; // all equal: zero
      case 4 -> rnd.nextInt(1000) / 8.0; // dyadic, exact ties likely
      default -> center * (1 + rnd.nextDouble());
    };
  }
}
