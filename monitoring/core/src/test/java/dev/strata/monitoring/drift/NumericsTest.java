package dev.strata.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class NumericsTest {
  @Test
  void kolmogorovSurvivalMatchesScipyKstwobign() throws Exception {
    JsonNode grid = DriftVectorsTest.read("/drift/vectors.json").get("kolmogorov_sf");
    assertThat(grid.size()).isGreaterThan(10);
    for (JsonNode pair : grid) {
      double z = pair.get(0).asDouble();
      double expected = pair.get(1).asDouble();
      assertThat(Numerics.kolmogorovSf(z)).as("Q(%s)", z).isCloseTo(expected, offset(1e-12));
      if (expected > 1e-300) {
        // the tail matters for tiny p-values: relative agreement too
        assertThat(Numerics.kolmogorovSf(z) / expected).as("Q(%s) relative", z).isCloseTo(1.0, offset(1e-9));
      }
    }
  }

  @Test
  void linearQuantileIsNumpysLinearMethod() {
    double[] x = {1, 2, 4, 8};
    // numpy.quantile([1,2,4,8], [0, .1, .5, .9, 1]) = [1, 1.3, 3, 6.8, 8]
    assertThat(Numerics.linearQuantile(x, 0)).isEqualTo(1.0);
    assertThat(Numerics.linearQuantile(x, 0.1)).isCloseTo(1.3, offset(1e-15));
    assertThat(Numerics.linearQuantile(x, 0.5)).isEqualTo(3.0);
    assertThat(Numerics.linearQuantile(x, 0.9)).isCloseTo(6.8, offset(1e-15));
    assertThat(Numerics.linearQuantile(x, 1)).isEqualTo(8.0);
    assertThat(Numerics.linearQuantile(new double[] {5}, 0.3)).isEqualTo(5.0);
  }

  @Test
  void compensatedSumKeepsSmallTerms() {
    Numerics.Sum s = new Numerics.Sum();
    s.add(1e16);
    for (int i = 0; i < 1000; i++) {
      s.add(1.0);
    }
    s.add(-1e16);
    assertThat(s.value()).isEqualTo(1000.0);
  }

  /** Exact drift sorts with its own radix sort: the result must be Arrays.sort's, bit for bit. */
  @Test
  void radixSortEqualsArraysSortBitForBit() {
    java.util.SplittableRandom random = new java.util.SplittableRandom(4);
    double[] special = {0.0, -0.0, Double.MIN_VALUE, -Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE,
        Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, 1e-310, -1e-310, 1.0, -1.0};
    for (int trial = 0; trial < 60; trial++) {
      int n = trial < 5 ? trial * 1_000 : 4_096 + random.nextInt(60_000);
      double[] a = new double[n];
      for (int i = 0; i < n; i++) {
        switch (trial % 4) {
          case 0 -> a[i] = random.nextInt(2_000) - 500; // integers of both signs, many ties
          case 1 -> a[i] = random.nextInt(24); // one sign: most byte passes skipped
          case 2 -> a[i] = Double.longBitsToDouble(random.nextLong()); // any bits
          default -> a[i] = random.nextInt(10) == 0 ? special[random.nextInt(special.length)] : random.nextGaussian() * 1e3;
        }
        if (Double.isNaN(a[i])) {
          a[i] = -0.0; // NaN is the caller's null, never sorted
        }
      }
      double[] expected = a.clone();
      java.util.Arrays.sort(expected);
      double[] actual = a.clone();
      Numerics.sort(actual);
      for (int i = 0; i < n; i++) {
        assertThat(Double.doubleToRawLongBits(actual[i])).as("trial %d index %d", trial, i)
            .isEqualTo(Double.doubleToRawLongBits(expected[i]));
      }
    }
  }
}
