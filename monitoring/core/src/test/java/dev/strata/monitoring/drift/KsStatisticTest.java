package dev.strata.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.apache.commons.statistics.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/**
 * Exact drift takes the KS statistic from the samples it has already sorted instead of handing
 * them to Commons Statistics (which copies and sorts both again): the value must be Commons'
 * to the last bit, ties, signed zeros and unequal sizes included.
 */
class KsStatisticTest {
  private static final KolmogorovSmirnovTest COMMONS = KolmogorovSmirnovTest.withDefaults();

  @Test
  void equalsCommonsStatisticBitForBit() {
    SplittableRandom random = new SplittableRandom(18);
    for (int trial = 0; trial < 2_000; trial++) {
      int n = 2 + random.nextInt(trial < 1_000 ? 12 : 3_000);
      int m = 2 + random.nextInt(trial < 1_000 ? 12 : 3_000);
      int spread = 1 + random.nextInt(40); // small spreads: many ties within and across samples
      double[] u = sample(random, n, spread, 0);
      double[] v = sample(random, m, spread, random.nextInt(3));
      double expected = COMMONS.statistic(u, v);
      Arrays.sort(u);
      Arrays.sort(v);
      double actual = ExactDrift.ksStatisticSorted(u, v);
      assertThat(Double.doubleToRawLongBits(actual)).as("n=%d m=%d trial %d: %s vs %s", n, m, trial, actual, expected)
          .isEqualTo(Double.doubleToRawLongBits(expected));
    }
  }

  @Test
  void identicalAndDisjointSamples() {
    double[] a = {1, 2, 3, 4};
    assertThat(ExactDrift.ksStatisticSorted(a, a.clone())).isEqualTo(0.0);
    assertThat(ExactDrift.ksStatisticSorted(new double[] {1, 2}, new double[] {3, 4, 5})).isEqualTo(1.0);
    // −0.0 and 0.0 are one value, as in Commons
    assertThat(ExactDrift.ksStatisticSorted(new double[] {-0.0, 1}, new double[] {0.0, 1}))
        .isEqualTo(COMMONS.statistic(new double[] {-0.0, 1}, new double[] {0.0, 1})).isEqualTo(0.0);
  }

  private static double[] sample(SplittableRandom random, int n, int spread, int shift) {
    double[] out = new double[n];
    for (int i = 0; i < n; i++) {
      int k = random.nextInt(spread) + shift;
      out[i] = k == 0 && random.nextBoolean() ? -0.0 : k * 0.5;
    }
    return out;
  }
}
