package dev.strata.monitoring.drift;

import java.util.Arrays;

/**
 * The few numerics that neither Commons Statistics nor DataSketches expose in the form the
 * definitions need: numpy's linear quantile, Kolmogorov's limiting distribution and a
 * compensated sum.
 */
final class Numerics {
  /** Quantile levels of the reference bins: i / 10 (the same doubles as Python's i / 10). */
  static final double[] BIN_LEVELS = {
      1 / 10.0, 2 / 10.0, 3 / 10.0, 4 / 10.0, 5 / 10.0, 6 / 10.0, 7 / 10.0, 8 / 10.0, 9 / 10.0};

  // scipy's kolmogorov switches between its two series at this argument.
  private static final double KOLMOGOROV_CUTOVER = 0.82;

  private Numerics() {}

  /**
   * numpy.quantile(sorted, q) with the default "linear" method, bit for bit: virtual index
   * (n - 1)·q, then numpy's two-sided lerp.
   */
  static double linearQuantile(double[] sorted, double q) {
    int n = sorted.length;
    if (n == 0) {
      throw new IllegalArgumentException("Cannot compute a quantile: no values");
    }
    double virtual = (n - 1) * q;
    if (virtual <= 0) {
      return sorted[0];
    }
    if (virtual >= n - 1) {
      return sorted[n - 1];
    }
    int below = (int) Math.floor(virtual);
    double a = sorted[below];
    double b = sorted[below + 1];
    double t = virtual - below;
    double diff = b - a;
    // numpy interpolates from the nearer end to stay monotone: same choice, same rounding
    return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
  }

  /**
   * Survival function of Kolmogorov's limiting distribution, Q(z) = P(K > z), as
   * scipy.stats.kstwobign.sf. Commons Statistics' KolmogorovSmirnovTest ASYMPTOTIC p-value is
   * a finite-sample approximation (it differs from this in the second decimal at n=500), and
   * the limiting distribution is not public there, hence these two classical series.
   */
  static double kolmogorovSf(double z) {
    if (Double.isNaN(z)) {
      return Double.NaN;
    }
    if (z <= 0) {
      return 1.0;
    }
    if (z <= KOLMOGOROV_CUTOVER) {
      // CDF = sqrt(2π)/z · Σ_{k≥1} exp(−(2k−1)²π²/(8z²)), fast for small z
      double w = -Math.PI * Math.PI / (8 * z * z);
      double sum = 0;
      for (int k = 1; k < 100; k++) {
        double term = Math.exp((2.0 * k - 1) * (2.0 * k - 1) * w);
        sum += term;
        if (term < 1e-20 * sum) {
          break;
        }
      }
      return 1.0 - Math.sqrt(2 * Math.PI) / z * sum;
    }
    // Q = 2 Σ_{k≥1} (−1)^{k−1} exp(−2k²z²), fast for large z
    double sum = 0;
    for (int k = 1; k < 100; k++) {
      double term = Math.exp(-2.0 * k * k * z * z);
      sum += (k % 2 == 1) ? term : -term;
      if (term < 1e-20) {
        break;
      }
    }
    return Math.max(0.0, Math.min(1.0, 2 * sum));
  }

  /** Neumaier-compensated sum: long sums of small products stay within an ulp or two. */
  static final class Sum {
    private double sum;
    private double compensation;

    void add(double x) {
      double t = sum + x;
      if (Math.abs(sum) >= Math.abs(x)) {
        compensation += (sum - t) + x;
      } else {
        compensation += (x - t) + sum;
      }
      sum = t;
    }

    double value() {
      return sum + compensation;
    }
  }

  static double[] sortedNonNull(double[] values) {
    int n = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        n++;
      }
    }
    double[] out = new double[n];
    int i = 0;
    for (double v : values) {
      if (!Double.isNaN(v)) {
        out[i++] = v;
      }
    }
    sort(out);
    return out;
  }

  /** Below this, {@link Arrays#sort(double[])}: the radix sort's fixed costs do not pay. */
  private static final int RADIX_MIN = 1 << 12;

  /**
   * Sorts NaN-free values into exactly the array {@link Arrays#sort(double[])} gives (−0.0 before
   * 0.0, bit for bit), by a least-significant-byte radix sort over the IEEE bits mapped to keys
   * whose unsigned order is the numeric order. A byte position where every key agrees is
   * skipped: integer-valued data (counts, hours, miles) needs few of the eight passes. Linear
   * time and two long arrays of scratch, where sorting is most of exact drift's work.
   */
  static void sort(double[] a) {
    int n = a.length;
    if (n < RADIX_MIN) {
      Arrays.sort(a);
      return;
    }
    long[] keys = new long[n];
    int[][] counts = new int[8][256];
    for (int i = 0; i < n; i++) {
      long b = Double.doubleToRawLongBits(a[i]);
      // negative: flip every bit (larger magnitude sorts first); else flip the sign bit only
      long k = b ^ ((b >> 63) | Long.MIN_VALUE);
      keys[i] = k;
      for (int d = 0; d < 8; d++) {
        counts[d][(int) (k >>> (d << 3)) & 0xFF]++;
      }
    }
    long[] src = keys;
    long[] dst = new long[n];
    for (int d = 0; d < 8; d++) {
      int[] c = counts[d];
      if (c[(int) (src[0] >>> (d << 3)) & 0xFF] == n) {
        continue; // every key has this byte: the pass would not move anything
      }
      int sum = 0;
      for (int v = 0; v < 256; v++) {
        int count = c[v];
        c[v] = sum;
        sum += count;
      }
      int shift = d << 3;
      for (int i = 0; i < n; i++) {
        long k = src[i];
        dst[c[(int) (k >>> shift) & 0xFF]++] = k;
      }
      long[] t = src;
      src = dst;
      dst = t;
    }
    for (int i = 0; i < n; i++) {
      long k = src[i];
      a[i] = Double.longBitsToDouble(k < 0 ? k ^ Long.MIN_VALUE : ~k);
    }
  }
}
