package dev.strata.dsl.expr;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Runtime semantics of values, following Spark SQL with ANSI mode off so that every engine can
 * agree with the interpreter:
 *
 * <ul>
 *   <li>Doubles compare as in Spark: NaN equals NaN and is greater than every other value, and
 *       0.0 equals -0.0. Long and double compare as doubles.
 *   <li>Strings compare by code point (Spark compares UTF-8 bytes, which orders the same).
 *   <li>Casts of strings that do not parse give NULL; timestamps cast to and from numbers in
 *       seconds.
 * </ul>
 */
final class Values {
  private static final double MICROS_PER_SECOND = 1_000_000.0;

  private Values() {}

  static boolean isInstance(Object value, DataType type) {
    if (type == DataType.LONG || type == DataType.TIMESTAMP) {
      return value instanceof Long;
    } else if (type == DataType.DOUBLE) {
      return value instanceof Double;
    } else if (type == DataType.STRING) {
      return value instanceof String;
    } else if (type == DataType.BOOLEAN) {
      return value instanceof Boolean;
    } else if (type instanceof DataType.ListType) {
      return value instanceof java.util.List;
    }
    return value instanceof java.util.Map;
  }

  /** Converts a non-null value of a type that widens to {@code to} (bigint to double). */
  static Object widen(Object value, DataType to) {
    if (to == DataType.DOUBLE && value instanceof Long l) {
      return l.doubleValue();
    }
    return value;
  }

  static double toDouble(Object value) {
    return ((Number) value).doubleValue();
  }

  /** The mean Earth radius (IUGG), in kilometres: HAVERSINE's sphere. */
  static final double EARTH_RADIUS_KM = 6371.0088;

  /**
   * The great-circle distance in kilometres between two points given in degrees of latitude and
   * longitude, on a sphere of {@link #EARTH_RADIUS_KM}. The haversine form keeps precision for
   * near points; {@code min(1, h)} guards rounding above 1 for near-antipodal points.
   */
  static double haversineKm(double lat1, double lon1, double lat2, double lon2) {
    double p1 = Math.toRadians(lat1);
    double p2 = Math.toRadians(lat2);
    double dLat = p2 - p1;
    double dLon = Math.toRadians(lon2 - lon1);
    double sinLat = Math.sin(dLat / 2);
    double sinLon = Math.sin(dLon / 2);
    double h = sinLat * sinLat + Math.cos(p1) * Math.cos(p2) * sinLon * sinLon;
    return 2 * EARTH_RADIUS_KM * Math.asin(Math.sqrt(Math.min(1.0, h)));
  }

  /** Spark's double order: NaN = NaN, NaN above everything, 0.0 = -0.0. */
  static int compareDoubles(double a, double b) {
    return a == b ? 0 : Double.compare(a, b);
  }

  static int compareStrings(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  /** The order of non-null values of two comparable types (see {@link Types#comparable}). */
  static Comparator<Object> comparator(DataType a, DataType b) {
    if (a.isNumeric() && b.isNumeric()) {
      if (a == DataType.LONG && b == DataType.LONG) {
        return (x, y) -> Long.compare((Long) x, (Long) y);
      }
      return (x, y) -> compareDoubles(toDouble(x), toDouble(y));
    } else if (a == DataType.TIMESTAMP) {
      return (x, y) -> Long.compare((Long) x, (Long) y);
    } else if (a == DataType.STRING) {
      return (x, y) -> compareStrings((String) x, (String) y);
    } else if (a == DataType.BOOLEAN) {
      return (x, y) -> Boolean.compare((Boolean) x, (Boolean) y);
    }
    throw new IllegalArgumentException("Cannot compare " + a + " with " + b);
  }

  // ------------------------------------------------------------------ casts

  static Object cast(Object v, DataType from, DataType to) {
    if (v == null || from.equals(to)) {
      return v;
    }
    if (to == DataType.STRING) {
      return toStringValue(v, from);
    }
    if (from == DataType.STRING) {
      return parse((String) v, to);
    }
    if (to == DataType.BOOLEAN) {
      return from == DataType.LONG ? (Long) v != 0 : toDouble(v) != 0.0;
    }
    if (to == DataType.LONG) {
      if (from == DataType.DOUBLE) {
        return (long) (double) (Double) v; // saturating, NaN is 0: Java's and Spark's rule
      } else if (from == DataType.BOOLEAN) {
        return (Boolean) v ? 1L : 0L;
      }
      return Math.floorDiv((Long) v, 1_000_000L); // timestamp: seconds, rounded down
    }
    if (to == DataType.DOUBLE) {
      if (from == DataType.LONG) {
        return ((Long) v).doubleValue();
      } else if (from == DataType.BOOLEAN) {
        return (Boolean) v ? 1.0 : 0.0;
      }
      return (Long) v / MICROS_PER_SECOND; // timestamp
    }
    if (to == DataType.TIMESTAMP) {
      if (from == DataType.LONG) {
        return saturatingMultiply((Long) v, 1_000_000L);
      }
      double d = (Double) v;
      return Double.isNaN(d) || Double.isInfinite(d) ? null : (long) (d * MICROS_PER_SECOND);
    }
    throw new IllegalArgumentException("Cannot cast " + from + " to " + to);
  }

  private static long saturatingMultiply(long a, long b) {
    long hi = Math.multiplyHigh(a, b);
    long lo = a * b;
    if ((hi == 0 && lo >= 0) || (hi == -1 && lo < 0)) {
      return lo;
    }
    return (a < 0) == (b < 0) ? Long.MAX_VALUE : Long.MIN_VALUE;
  }

  static String toStringValue(Object v, DataType from) {
    if (from == DataType.TIMESTAMP) {
      return formatTimestamp((Long) v);
    }
    return String.valueOf(v);
  }

  /** Spark's text of a timestamp in UTC: {@code 2001-01-01 00:47:00}, fraction without trailing zeros. */
  static String formatTimestamp(long micros) {
    LocalDateTime t = LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
    StringBuilder sb = new StringBuilder();
    sb.append(t.toLocalDate()).append(' ');
    sb.append(two(t.getHour())).append(':').append(two(t.getMinute())).append(':').append(two(t.getSecond()));
    int fraction = (int) Math.floorMod(micros, 1_000_000L);
    if (fraction != 0) {
      String f = String.format(Locale.ROOT, "%06d", fraction);
      sb.append('.').append(f.replaceAll("0+$", ""));
    }
    return sb.toString();
  }

  private static String two(int n) {
    return n < 10 ? "0" + n : Integer.toString(n);
  }

  private static final Pattern INTEGRAL = Pattern.compile("[+-]?(\\d+(\\.\\d*)?|\\.\\d+)");

  private static Object parse(String s, DataType to) {
    String t = s.strip();
    if (to == DataType.LONG) {
      if (!INTEGRAL.matcher(t).matches()) {
        return null;
      }
      try {
        // Spark truncates a fraction: '1.9' is 1.
        return new BigDecimal(t).toBigInteger().longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    } else if (to == DataType.DOUBLE) {
      return parseDouble(t);
    } else if (to == DataType.BOOLEAN) {
      switch (t.toLowerCase(Locale.ROOT)) {
        case "t": case "true": case "y": case "yes": case "1":
          return true;
        case "f": case "false": case "n": case "no": case "0":
          return false;
        default:
          return null;
      }
    } else if (to == DataType.TIMESTAMP) {
      try {
        return Durations.parseInstant(t);
      } catch (RuntimeException e) {
        return null;
      }
    }
    throw new IllegalArgumentException("Cannot cast string to " + to);
  }

  private static Double parseDouble(String t) {
    switch (t.toLowerCase(Locale.ROOT)) {
      case "nan":
        return Double.NaN;
      case "inf": case "+inf": case "infinity": case "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf": case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        break;
    }
    // Java also reads hex floats and type suffixes ("1d"); Spark uses the same parser.
    if (t.isEmpty() || !t.matches("[0-9eE.+\\-xXpPa-fA-FdDfF]+")) {
      return null;
    }
    try {
      return Double.parseDouble(t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  // ------------------------------------------------------------------ functions

  /** {@code ROUND} with HALF_UP on the decimal text of the double, as Spark does. */
  static double round(double d, int scale) {
    if (Double.isNaN(d) || Double.isInfinite(d)) {
      return d;
    }
    return BigDecimal.valueOf(d).setScale(scale, RoundingMode.HALF_UP).doubleValue();
  }

  static long round(long v, int scale) {
    if (scale >= 0) {
      return v;
    }
    return BigDecimal.valueOf(v).setScale(scale, RoundingMode.HALF_UP).longValue();
  }

  /** Spark's TRIM removes spaces only, not other whitespace. */
  static String trim(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && s.charAt(start) == ' ') {
      start++;
    }
    while (end > start && s.charAt(end - 1) == ' ') {
      end--;
    }
    return s.substring(start, end);
  }

  /**
   * Spark's {@code substring(s, pos, len)} on code points: pos is 1-based, 0 acts as 1, a
   * negative pos counts from the end; a negative length gives the empty string.
   */
  static String substr(String s, long pos, long len) {
    int n = s.codePointCount(0, s.length());
    long start = pos > 0 ? pos - 1 : (pos < 0 ? n + pos : 0);
    long end = len == Long.MAX_VALUE ? n : start + len;
    if (len > 0 && end < start) {
      end = Long.MAX_VALUE; // overflow
    }
    start = Math.max(start, 0);
    end = Math.min(end, n);
    if (start >= end) {
      return "";
    }
    int from = s.offsetByCodePoints(0, (int) start);
    int to = s.offsetByCodePoints(from, (int) (end - start));
    return s.substring(from, to);
  }

  /** A LIKE pattern as a regular expression; a backslash escapes the next character. */
  static Pattern likePattern(String pattern) {
    StringBuilder re = new StringBuilder();
    StringBuilder literal = new StringBuilder();
    for (int i = 0; i < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\' && i + 1 < pattern.length()) {
        literal.append(pattern.charAt(++i));
      } else if (c == '%' || c == '_') {
        if (literal.length() > 0) {
          re.append(Pattern.quote(literal.toString()));
          literal.setLength(0);
        }
        re.append(c == '%' ? ".*" : ".");
      } else {
        literal.append(c);
      }
    }
    if (literal.length() > 0) {
      re.append(Pattern.quote(literal.toString()));
    }
    return Pattern.compile(re.toString(), Pattern.DOTALL);
  }

  static LocalDateTime utc(long micros) {
    return LocalDateTime.ofEpochSecond(
        Math.floorDiv(micros, 1_000_000L), (int) Math.floorMod(micros, 1_000_000L) * 1000, ZoneOffset.UTC);
  }

  /** DATE_TRUNC units, in microseconds; null for an unknown unit. */
  static Long truncUnit(String unit) {
    switch (unit.toLowerCase(Locale.ROOT)) {
      case "day":
        return Durations.DAY;
      case "hour":
        return Durations.HOUR;
      case "minute":
        return Durations.MINUTE;
      default:
        return null;
    }
  }

  /** The text of a double literal that reads back as the same double. */
  static String doubleLiteral(double d) {
    return Double.toString(d);
  }
}
