package dev.strata.monitoring.skew;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * When a served value equals an offline value. Both engines compute features with the same
 * feature-dsl code, so equality is exact for bigints, strings, booleans and timestamps; doubles
 * may differ in the last bits where partial aggregates are merged in another order (tiles and
 * roll-up blocks online, one sweep offline), so two doubles match when
 * {@code |a − b| ≤ relativeTolerance × max(|a|, |b|)} (default 1e-9), or both are NaN, or they
 * are equal infinities. A bigint against a double (a JSON log that wrote 3.0 as 3) compares as
 * doubles. NULL matches only NULL. Lists and maps match element by element by the same rules.
 */
public final class SkewComparison {
  /** The default relative tolerance for doubles. */
  public static final double DEFAULT_RELATIVE_TOLERANCE = 1e-9;

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final double relativeTolerance;

  private SkewComparison(double relativeTolerance) {
    this.relativeTolerance = relativeTolerance;
  }

  public static SkewComparison withDefaults() {
    return relative(DEFAULT_RELATIVE_TOLERANCE);
  }

  public static SkewComparison relative(double tolerance) {
    if (!(tolerance >= 0) || tolerance >= 1) {
      throw new IllegalArgumentException("Cannot compare with relative tolerance " + tolerance + ": it must be in [0, 1)");
    }
    return new SkewComparison(tolerance);
  }

  public double relativeTolerance() {
    return relativeTolerance;
  }

  public boolean matches(Object served, Object offline) {
    if (served == null || offline == null) {
      return served == null && offline == null;
    }
    if (served instanceof Number a && offline instanceof Number b) {
      if (isIntegral(a) && isIntegral(b)) {
        return a.longValue() == b.longValue();
      }
      return close(a.doubleValue(), b.doubleValue());
    }
    if (served instanceof List<?> a && offline instanceof List<?> b) {
      if (a.size() != b.size()) {
        return false;
      }
      Iterator<?> i = a.iterator();
      Iterator<?> j = b.iterator();
      while (i.hasNext()) {
        if (!matches(i.next(), j.next())) {
          return false;
        }
      }
      return true;
    }
    if (served instanceof Map<?, ?> a && offline instanceof Map<?, ?> b) {
      if (!a.keySet().equals(b.keySet())) {
        return false;
      }
      for (Map.Entry<?, ?> e : a.entrySet()) {
        if (!matches(e.getValue(), b.get(e.getKey()))) {
          return false;
        }
      }
      return true;
    }
    return Objects.equals(served, offline);
  }

  private boolean close(double a, double b) {
    if (a == b || (Double.isNaN(a) && Double.isNaN(b))) {
      return true;
    }
    if (Double.isNaN(a) || Double.isNaN(b) || Double.isInfinite(a) || Double.isInfinite(b)) {
      return false;
    }
    return Math.abs(a - b) <= relativeTolerance * Math.max(Math.abs(a), Math.abs(b));
  }

  private static boolean isIntegral(Number n) {
    return n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte;
  }

  /** A value as JSON text (NaN and infinities as their names), for examples. */
  static String text(Object v) {
    if (v instanceof Double d && !Double.isFinite(d)) {
      return d.toString();
    }
    try {
      return MAPPER.writeValueAsString(v);
    } catch (JsonProcessingException e) {
      return String.valueOf(v);
    }
  }
}
