package dev.strata.monitoring.drift;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Warn and drift levels per metric; a metric at or above its level raises the status. Only
 * effect sizes have default levels: at large n every p-value is tiny, so p-values would flag
 * everything (they are reported, and a monitor may still set a level on them).
 */
public final class Thresholds {
  /** A metric's levels; {@code drift >= warn}. */
  public record Level(double warn, double drift) {
    public Level {
      if (!(warn <= drift)) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "Cannot use level: warn %s above drift %s", warn, drift));
      }
    }
  }

  private static final Map<String, Level> DEFAULTS = defaults0();

  private final Map<String, Level> levels;

  private Thresholds(Map<String, Level> levels) {
    this.levels = Collections.unmodifiableMap(new LinkedHashMap<>(levels));
  }

  private static Map<String, Level> defaults0() {
    Map<String, Level> m = new LinkedHashMap<>();
    // The usual PSI rule of thumb: < 0.1 stable, 0.1–0.2 moderate, > 0.2 significant.
    m.put(Metrics.PSI, new Level(0.1, 0.2));
    // JS distance (base 2, in [0, 1]); 0.1 is about a PSI of 0.04–0.05 for small shifts.
    m.put(Metrics.JS_DISTANCE, new Level(0.1, 0.2));
    // Earth mover's distance in reference standard deviations.
    m.put(Metrics.WASSERSTEIN_NORMED, new Level(0.1, 0.25));
    m.put(Metrics.NULL_RATE_CHANGE, new Level(0.02, 0.1));
    m.put(Metrics.OUT_OF_RANGE, new Level(0.01, 0.05));
    m.put(Metrics.UNSEEN_SHARE, new Level(0.01, 0.05));
    return m;
  }

  public static Thresholds defaults() {
    return new Thresholds(DEFAULTS);
  }

  /**
   * The defaults overridden by a monitor's {@code thresholds:} map. {@code psi: 0.3} sets the
   * drift level (warn becomes half of it unless lower already); {@code psi_warn: 0.15} sets
   * the warn level. Metrics where smaller is worse (p-values) are not supported here.
   */
  public static Thresholds fromConfig(Map<String, Double> config) {
    Map<String, Level> m = new LinkedHashMap<>(DEFAULTS);
    Map<String, Double> warns = new LinkedHashMap<>();
    for (Map.Entry<String, Double> e : config.entrySet()) {
      String key = e.getKey().toLowerCase(Locale.ROOT);
      boolean warn = key.endsWith("_warn");
      String metric = Metrics.canonical(warn ? key.substring(0, key.length() - 5) : key);
      if (!Metrics.HIGHER_IS_WORSE.contains(metric)) {
        throw new IllegalArgumentException(String.format(Locale.ROOT,
            "Cannot use threshold '%s': expected one of %s (optionally with _warn)",
            e.getKey(), Metrics.HIGHER_IS_WORSE));
      }
      if (warn) {
        warns.put(metric, e.getValue());
      } else {
        Level old = m.get(metric);
        double w = old == null ? e.getValue() / 2 : Math.min(old.warn(), e.getValue() / 2);
        m.put(metric, new Level(w, e.getValue()));
      }
    }
    for (Map.Entry<String, Double> e : warns.entrySet()) {
      Level old = m.get(e.getKey());
      m.put(e.getKey(), new Level(e.getValue(), old == null ? Double.POSITIVE_INFINITY : old.drift()));
    }
    return new Thresholds(m);
  }

  /** The levels of a compiled monitor ({@code thresholds:} in its definition) over the defaults. */
  public static Thresholds forMonitor(dev.strata.dsl.plan.CompiledPlan.CompiledMonitor monitor) {
    return fromConfig(monitor.thresholds());
  }

  public Map<String, Level> levels() {
    return levels;
  }

  /** The worst status over the metrics, and why: "psi 0.31 ≥ 0.2". */
  public Verdict evaluate(Map<String, Double> metrics) {
    return evaluate(metrics, 0, 0, 0);
  }

  /**
   * As {@link #evaluate(Map)}, with the PSI and JS levels raised by what sampling noise alone
   * gives: with no drift, E[PSI] ≈ (k − 1)(1/n + 1/m) and E[JS divergence] ≈ that / (8 ln 2)
   * for k bins. That is negligible for 10 quantile bins and large slices, but 200 airports in
   * two samples of 7,000 show a JS distance of 0.11 from noise alone: without this, every
   * high-cardinality categorical on a small slice would warn.
   *
   * @param n non-null reference values (0: no adjustment)
   * @param m non-null current values
   * @param bins number of bins or categories (with the unseen bucket)
   */
  public Verdict evaluate(Map<String, Double> metrics, long n, long m, int bins) {
    double noise = noise(n, m, bins);
    Status status = Status.OK;
    List<String> reasons = new ArrayList<>();
    for (Map.Entry<String, Level> e : levels.entrySet()) {
      Double value = metrics.get(e.getKey());
      if (value == null || value.isNaN()) {
        continue;
      }
      Level level = adjusted(e.getKey(), e.getValue(), noise);
      // null_rate_change is signed; fewer nulls is as much a change as more
      double v = Math.abs(value);
      Status s = v >= level.drift() ? Status.DRIFT : v >= level.warn() ? Status.WARN : Status.OK;
      if (s != Status.OK) {
        reasons.add(String.format(Locale.ROOT, "%s %.4g >= %.4g", e.getKey(), value,
            s == Status.DRIFT ? level.drift() : level.warn()));
      }
      status = Status.worst(status, s);
    }
    return new Verdict(status, reasons);
  }

  /** The levels {@link #evaluate(Map, long, long, int)} applies for these sample sizes. */
  public Map<String, Level> levelsFor(long n, long m, int bins) {
    double noise = noise(n, m, bins);
    Map<String, Level> out = new LinkedHashMap<>();
    levels.forEach((k, v) -> out.put(k, adjusted(k, v, noise)));
    return Collections.unmodifiableMap(out);
  }

  private static double noise(long n, long m, int bins) {
    return n > 0 && m > 0 && bins > 1 ? (bins - 1) * (1.0 / n + 1.0 / m) : 0;
  }

  private static Level adjusted(String metric, Level level, double psiNoise) {
    if (psiNoise == 0) {
      return level;
    }
    if (metric.equals(Metrics.PSI)) {
      return new Level(level.warn() + psiNoise, level.drift() + psiNoise);
    }
    if (metric.equals(Metrics.JS_DISTANCE)) {
      // distance² is the divergence, to which the noise adds
      double jsNoise = psiNoise / (8 * Math.log(2));
      return new Level(Math.sqrt(level.warn() * level.warn() + jsNoise),
          Math.sqrt(level.drift() * level.drift() + jsNoise));
    }
    return level;
  }

  /** A status with the metrics that raised it. */
  public record Verdict(Status status, List<String> reasons) {
    public Verdict {
      reasons = List.copyOf(reasons);
    }
  }
}
