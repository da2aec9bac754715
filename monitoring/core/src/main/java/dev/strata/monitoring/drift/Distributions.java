package dev.strata.monitoring.drift;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** PSI and Jensen–Shannon distance over bins, and bin labels; shared by exact and sketch mode. */
final class Distributions {
  /** docs/design.md: proportions are floored here before PSI (an empty bin would be infinite). */
  static final double FLOOR = 1e-4;

  private Distributions() {}

  static double[] shares(long[] counts, long total) {
    double[] out = new double[counts.length];
    for (int i = 0; i < counts.length; i++) {
      out[i] = (double) counts[i] / total;
    }
    return out;
  }

  /** Σ (c − r)·ln(c / r) with both proportions floored at {@link #FLOOR}. */
  static double psi(double[] reference, double[] current) {
    double sum = 0;
    for (int i = 0; i < reference.length; i++) {
      double r = Math.max(reference[i], FLOOR);
      double c = Math.max(current[i], FLOOR);
      sum += (c - r) * Math.log(c / r);
    }
    return sum;
  }

  /** As scipy.spatial.distance.jensenshannon(r, c, base=2): normalizes, then √(JS/2). */
  static double jsDistance(double[] reference, double[] current) {
    double[] p = normalized(reference);
    double[] q = normalized(current);
    double left = 0;
    double right = 0;
    for (int i = 0; i < p.length; i++) {
      double m = (p[i] + q[i]) / 2;
      left += relEntr(p[i], m);
      right += relEntr(q[i], m);
    }
    double js = (left + right) / Math.log(2);
    // rounding can leave −1e-17 for identical inputs, where scipy's answer is 0
    return Math.sqrt(Math.max(0, js / 2));
  }

  private static double relEntr(double x, double y) {
    if (x > 0 && y > 0) {
      return x * Math.log(x / y);
    }
    return x == 0 && y >= 0 ? 0 : Double.POSITIVE_INFINITY;
  }

  private static double[] normalized(double[] v) {
    double sum = 0;
    for (double x : v) {
      sum += x;
    }
    double[] out = new double[v.length];
    for (int i = 0; i < v.length; i++) {
      out[i] = v[i] / sum;
    }
    return out;
  }

  static List<String> numericLabels(double[] edges) {
    List<String> labels = new ArrayList<>(edges.length + 1);
    String previous = "-inf";
    for (double e : edges) {
      String s = format(e);
      labels.add("(" + previous + ", " + s + "]");
      previous = s;
    }
    labels.add("(" + previous + ", +inf)");
    return labels;
  }

  static String format(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return String.format(Locale.ROOT, "%d", (long) v);
    }
    if (!Double.isFinite(v)) {
      return Double.toString(v);
    }
    // six significant digits without trailing zeros: 1.2, not 1.20000
    String plain = new java.math.BigDecimal(v).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
    return plain.length() <= 12 ? plain : String.format(Locale.ROOT, "%.5e", v);
  }

  static List<Double> boxed(double[] values) {
    List<Double> out = new ArrayList<>(values.length);
    for (double v : values) {
      out.add(v);
    }
    return out;
  }
}
