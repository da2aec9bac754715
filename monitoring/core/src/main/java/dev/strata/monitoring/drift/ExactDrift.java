package dev.strata.monitoring.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.commons.statistics.descriptive.StandardDeviation;
import org.apache.commons.statistics.inference.ChiSquareTest;
import org.apache.commons.statistics.inference.SignificanceResult;

/**
 * Drift from all values in memory, matching numpy/scipy (see the test vectors and the script
 * that made them, monitoring/core/src/test/resources/drift/make_vectors.py).
 */
public final class ExactDrift {
  private static final ChiSquareTest CHI_SQUARE = ChiSquareTest.withDefaults();

  private final Thresholds thresholds;

  public ExactDrift(Thresholds thresholds) {
    this.thresholds = thresholds;
  }

  public static ExactDrift withDefaults() {
    return new ExactDrift(Thresholds.defaults());
  }

  /** Numeric drift; NaN marks a null (SQL NULL, empty CSV field). */
  public FeatureDrift numeric(String feature, double[] reference, double[] current) {
    double[] ref = Numerics.sortedNonNull(reference);
    double[] cur = Numerics.sortedNonNull(current);
    return numericSorted(feature, ref, cur, reference.length - ref.length, current.length - cur.length);
  }

  /**
   * Numeric drift from sorted non-null values (no copy is made) and their null counts: the
   * entry for callers that already sorted, such as a profile job.
   */
  public FeatureDrift numericSorted(String feature, double[] ref, double[] cur, long refNulls, long curNulls) {
    Map<String, Double> metrics = new LinkedHashMap<>();
    long refTotal = ref.length + refNulls;
    long curTotal = cur.length + curNulls;
    double[] edges = new double[0];
    double[] refShares = new double[0];
    double[] curShares = new double[0];
    if (ref.length > 0 && cur.length > 0) {
      edges = edges(ref);
      refShares = Distributions.shares(binCounts(edges, ref), ref.length);
      curShares = Distributions.shares(binCounts(edges, cur), cur.length);
      metrics.put(Metrics.PSI, Distributions.psi(refShares, curShares));
      metrics.put(Metrics.JS_DISTANCE, Distributions.jsDistance(refShares, curShares));
      // Commons Statistics wants two values per sample; scipy (and the definition) allow one
      double d = ref.length > 1 && cur.length > 1 ? ksStatisticSorted(ref, cur) : ksStatistic(ref, cur);
      metrics.put(Metrics.KS, d);
      metrics.put(Metrics.KS_PVALUE, ksPValue(d, ref.length, cur.length));
      double w = wasserstein(ref, cur);
      double sd = ref.length > 1 ? StandardDeviation.of(ref).getAsDouble() : Double.NaN;
      metrics.put(Metrics.WASSERSTEIN, w);
      // a constant reference has no scale: normed distance is undefined, not infinite
      metrics.put(Metrics.WASSERSTEIN_NORMED, sd > 0 ? w / sd : Double.NaN);
      metrics.put(Metrics.OUT_OF_RANGE, outOfRange(ref[0], ref[ref.length - 1], cur));
    }
    putNullRates(metrics, refNulls, refTotal, curNulls, curTotal);
    Thresholds.Verdict v = thresholds.evaluate(metrics, ref.length, cur.length, refShares.length);
    return new FeatureDrift(feature, FeatureDrift.Kind.NUMERIC, Mode.EXACT, refTotal, curTotal,
        refNulls, curNulls, edges.length == 0 && refShares.length == 0 ? List.of() : Distributions.numericLabels(edges),
        Distributions.boxed(edges), Distributions.boxed(refShares), Distributions.boxed(curShares),
        metrics, 0, v.status(), v.reasons());
  }

  /** Categorical drift; a null element is a null value. */
  public FeatureDrift categorical(String feature, String[] reference, String[] current) {
    return categorical(feature, CategoryCounts.of(reference), CategoryCounts.of(current));
  }

  /**
   * Categorical drift from each sample's category counts: the same result as {@link
   * #categorical(String, String[], String[])} on the values counted, without holding them.
   */
  public FeatureDrift categorical(String feature, CategoryCounts reference, CategoryCounts current) {
    return categoricalCounts(feature, reference, current, Mode.EXACT, 0);
  }

  FeatureDrift categoricalCounts(String feature, Map<String, Long> ref, Map<String, Long> cur,
      long refNulls, long curNulls, Mode mode, double errorBound) {
    return categoricalCounts(feature, CategoryCounts.of(ref, refNulls), CategoryCounts.of(cur, curNulls), mode, errorBound);
  }

  private FeatureDrift categoricalCounts(String feature, CategoryCounts ref, CategoryCounts cur, Mode mode,
      double errorBound) {
    // bins: the reference categories in sorted order (as Python's sorted(): the vectors' order,
    // and a stable report), then the unseen bucket
    int unseen = ref.size();
    List<String> bins = new ArrayList<>(unseen + 1);
    long[] refCounts = new long[unseen + 1];
    long[] curCounts = new long[unseen + 1];
    for (int i = 0; i < unseen; i++) {
      bins.add(ref.category(i));
      refCounts[i] = ref.count(i);
    }
    bins.add(FeatureDrift.UNSEEN);
    for (int i = 0; i < cur.size(); i++) {
      int at = ref.indexOf(cur.category(i));
      curCounts[at >= 0 ? at : unseen] += cur.count(i);
    }
    long refN = ref.nonNull();
    long curN = cur.nonNull();
    long refNulls = ref.nulls();
    long curNulls = cur.nulls();
    Map<String, Double> metrics = new LinkedHashMap<>();
    double[] refShares = new double[0];
    double[] curShares = new double[0];
    if (refN > 0 && curN > 0) {
      refShares = Distributions.shares(refCounts, refN);
      curShares = Distributions.shares(curCounts, curN);
      SignificanceResult chi = CHI_SQUARE.test(expected(refShares, curN), curCounts);
      metrics.put(Metrics.CHI_SQUARE, chi.getStatistic());
      metrics.put(Metrics.CHI_SQUARE_PVALUE, chi.getPValue());
      metrics.put(Metrics.PSI, Distributions.psi(refShares, curShares));
      metrics.put(Metrics.JS_DISTANCE, Distributions.jsDistance(refShares, curShares));
      metrics.put(Metrics.UNSEEN_SHARE, curShares[curShares.length - 1]);
    } else {
      bins = List.of();
    }
    putNullRates(metrics, refNulls, refN + refNulls, curNulls, curN + curNulls);
    Thresholds.Verdict v = thresholds.evaluate(metrics, refN, curN, refShares.length);
    return new FeatureDrift(feature, FeatureDrift.Kind.CATEGORICAL, mode, refN + refNulls,
        curN + curNulls, refNulls, curNulls, bins, List.of(), Distributions.boxed(refShares),
        Distributions.boxed(curShares), metrics, errorBound, v.status(), v.reasons());
  }

  /** n_current × the reference proportions floored at 1e-4 and renormalized. */
  private static double[] expected(double[] refShares, long curN) {
    double[] p = new double[refShares.length];
    double sum = 0;
    for (int i = 0; i < p.length; i++) {
      p[i] = Math.max(refShares[i], Distributions.FLOOR);
      sum += p[i];
    }
    for (int i = 0; i < p.length; i++) {
      p[i] = curN * (p[i] / sum);
    }
    return p;
  }

  static void putNullRates(Map<String, Double> metrics, long refNulls, long refTotal, long curNulls, long curTotal) {
    double r = refTotal == 0 ? Double.NaN : (double) refNulls / refTotal;
    double c = curTotal == 0 ? Double.NaN : (double) curNulls / curTotal;
    metrics.put(Metrics.REFERENCE_NULL_RATE, r);
    metrics.put(Metrics.CURRENT_NULL_RATE, c);
    metrics.put(Metrics.NULL_RATE_CHANGE, c - r);
  }

  /** Distinct values among the reference's 10%, …, 90% linear quantiles. */
  static double[] edges(double[] sortedRef) {
    double[] q = new double[Numerics.BIN_LEVELS.length];
    for (int i = 0; i < q.length; i++) {
      // + 0.0 turns −0.0 into 0.0: DoubleStream.distinct() would keep both, numpy.unique one
      q[i] = Numerics.linearQuantile(sortedRef, Numerics.BIN_LEVELS[i]) + 0.0;
    }
    return Arrays.stream(q).sorted().distinct().toArray();
  }

  /** Right-closed bins: x goes to the bin whose index is the number of edges < x. */
  static long[] binCounts(double[] edges, double[] sorted) {
    long[] counts = new long[edges.length + 1];
    int bin = 0;
    for (double x : sorted) {
      while (bin < edges.length && edges[bin] < x) {
        bin++;
      }
      counts[bin]++;
    }
    return counts;
  }

  /** sup |F_ref − F_cur| over the merged sorted values (ties: both CDFs step together). */
  static double ksStatistic(double[] u, double[] v) {
    int i = 0;
    int j = 0;
    double d = 0;
    while (i < u.length && j < v.length) {
      double x = Math.min(u[i], v[j]);
      while (i < u.length && u[i] <= x) {
        i++;
      }
      while (j < v.length && v[j] <= x) {
        j++;
      }
      d = Math.max(d, Math.abs((double) i / u.length - (double) j / v.length));
    }
    return d;
  }

  /**
   * Commons Statistics' two-sample {@code KolmogorovSmirnovTest.statistic}, bit for bit, on
   * samples already sorted: it copies and sorts both samples again, then takes the largest
   * |i·m − j·n| over the merged values (i, j: values ≤ x in each) as an exact integer and divides
   * once, (max/g) / (n·(m/g)) with g = gcd(n, m). Here the same integer, from the sorted arrays.
   */
  static double ksStatisticSorted(double[] u, double[] v) {
    int n = u.length;
    int m = v.length;
    long max = 0;
    int i = 0;
    int j = 0;
    while (i < n && j < m) {
      double x = Math.min(u[i], v[j]);
      // == as Commons compares: −0.0 and 0.0 are one value
      while (i < n && u[i] == x) {
        i++;
      }
      while (j < m && v[j] == x) {
        j++;
      }
      max = Math.max(max, Math.abs((long) i * m - (long) j * n));
    }
    int g = gcd(n, m);
    return (double) (max / g) / ((double) n * (double) (m / g));
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }

  /** p = Q(√(nm/(n+m))·D), Kolmogorov's limiting distribution (scipy.stats.kstwobign.sf). */
  static double ksPValue(double d, long n, long m) {
    return Numerics.kolmogorovSf(Math.sqrt((double) (n * m) / (n + m)) * d);
  }

  static double outOfRange(double min, double max, double[] sortedCur) {
    long out = 0;
    for (double x : sortedCur) {
      if (x < min || x > max) {
        out++;
      }
    }
    return (double) out / sortedCur.length;
  }

  /**
   * As scipy.stats.wasserstein_distance: ∫|U − V| over the merged sorted values, where U and V
   * are the empirical CDFs (values ≤ x over n), computed in one merge pass.
   */
  static double wasserstein(double[] u, double[] v) {
    int n = u.length;
    int m = v.length;
    Numerics.Sum sum = new Numerics.Sum();
    int i = 0;
    int j = 0;
    // the smallest remaining value of the merged sequence
    double x = Math.min(u[0], v[0]);
    while (i < n || j < m) {
      while (i < n && u[i] <= x) {
        i++;
      }
      while (j < m && v[j] <= x) {
        j++;
      }
      if (i == n && j == m) {
        break;
      }
      double next = Math.min(i < n ? u[i] : Double.POSITIVE_INFINITY, j < m ? v[j] : Double.POSITIVE_INFINITY);
      sum.add(Math.abs((double) i / n - (double) j / m) * (next - x));
      x = next;
    }
    return sum.value();
  }
}
