package dev.strata.monitoring.io;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A table read into memory, column by column, as text (null for a missing value). Numbers
 * stay text until a caller decides a column is numeric, so "007" and "7" remain categories if
 * the column is not numeric in both tables.
 */
public final class Table {
  private final String source;
  private final Map<String, List<String>> columns;
  private final int rows;

  Table(String source, Map<String, List<String>> columns, int rows) {
    this.source = source;
    Map<String, List<String>> copy = new LinkedHashMap<>();
    columns.forEach((k, v) -> copy.put(k, Collections.unmodifiableList(new ArrayList<>(v))));
    this.columns = Collections.unmodifiableMap(copy);
    this.rows = rows;
  }

  public String source() {
    return source;
  }

  public int rows() {
    return rows;
  }

  public List<String> columnNames() {
    return List.copyOf(columns.keySet());
  }

  public boolean hasColumn(String name) {
    return columns.containsKey(name);
  }

  public List<String> column(String name) {
    List<String> c = columns.get(name);
    if (c == null) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "Cannot find column '%s' in %s: it has %s", name, source, columns.keySet()));
    }
    return c;
  }

  /** Whether every non-null value parses as a finite number (and there is at least one). */
  public boolean isNumeric(String name) {
    boolean any = false;
    for (String v : column(name)) {
      if (v != null) {
        if (parse(v) == null) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  /** The column as doubles, NaN for null; callers check {@link #isNumeric} first. */
  public double[] doubles(String name) {
    List<String> c = column(name);
    double[] out = new double[c.size()];
    for (int i = 0; i < out.length; i++) {
      String v = c.get(i);
      Double d = v == null ? null : parse(v);
      out[i] = d == null ? Double.NaN : d;
    }
    return out;
  }

  public String[] strings(String name) {
    return column(name).toArray(new String[0]);
  }

  /**
   * Whether every non-null value is an ISO-8601 date or timestamp ({@code 2001-01-31},
   * {@code 2001-01-31 06:00:00}, {@code 2001-01-31T06:00:00.5Z}, with an optional offset), and
   * there is at least one.
   */
  public boolean isTemporal(String name) {
    boolean any = false;
    for (String v : column(name)) {
      if (v != null) {
        if (Double.isNaN(parseEpochSeconds(v))) {
          return false;
        }
        any = true;
      }
    }
    return any;
  }

  /**
   * The column as seconds since 1970-01-01T00:00:00Z, NaN for null; callers check {@link
   * #isTemporal} first. A date is its midnight; a time without an offset is taken as UTC (the
   * zone Strata reads timestamps in).
   */
  public double[] epochSeconds(String name) {
    List<String> c = column(name);
    double[] out = new double[c.size()];
    for (int i = 0; i < out.length; i++) {
      String v = c.get(i);
      out[i] = v == null ? Double.NaN : parseEpochSeconds(v);
    }
    return out;
  }

  private static final java.util.regex.Pattern ISO_TIME = java.util.regex.Pattern.compile(
      "\\d{4}-\\d{2}-\\d{2}([T ]\\d{2}:\\d{2}(:\\d{2}(\\.\\d{1,9})?)?)?(Z|[+-]\\d{2}(:?\\d{2})?)?");

  private static double parseEpochSeconds(String value) {
    String s = value.trim();
    if (!ISO_TIME.matcher(s).matches()) {
      return Double.NaN;
    }
    try {
      java.time.temporal.TemporalAccessor t = ISO_PARSER.parse(s.replace(' ', 'T'));
      java.time.LocalDate date = java.time.LocalDate.from(t);
      java.time.LocalTime time = t.isSupported(java.time.temporal.ChronoField.HOUR_OF_DAY)
          ? java.time.LocalTime.from(t) : java.time.LocalTime.MIDNIGHT;
      java.time.ZoneOffset offset = t.isSupported(java.time.temporal.ChronoField.OFFSET_SECONDS)
          ? java.time.ZoneOffset.from(t) : java.time.ZoneOffset.UTC;
      java.time.Instant at = java.time.OffsetDateTime.of(date, time, offset).toInstant();
      return at.getEpochSecond() + at.getNano() / 1e9;
    } catch (java.time.DateTimeException e) {
      return Double.NaN; // 2001-02-30 and the like: not a date
    }
  }

  private static final java.time.format.DateTimeFormatter ISO_PARSER = new java.time.format.DateTimeFormatterBuilder()
      .append(java.time.format.DateTimeFormatter.ISO_LOCAL_DATE)
      .optionalStart().appendLiteral('T').append(java.time.format.DateTimeFormatter.ISO_LOCAL_TIME).optionalEnd()
      .optionalStart().appendOffset("+HH:MM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HHMM", "Z").optionalEnd()
      .optionalStart().appendOffset("+HH", "Z").optionalEnd()
      .toFormatter(Locale.ROOT)
      .withResolverStyle(java.time.format.ResolverStyle.STRICT)
      .withChronology(java.time.chrono.IsoChronology.INSTANCE);

  /** The rows where {@code keep} holds for the value of {@code column}. */
  public Table filter(String column, java.util.function.Predicate<String> keep) {
    List<String> key = column(column);
    Map<String, List<String>> out = new LinkedHashMap<>();
    columns.keySet().forEach(k -> out.put(k, new ArrayList<>()));
    int n = 0;
    for (int i = 0; i < rows; i++) {
      if (keep.test(key.get(i))) {
        for (Map.Entry<String, List<String>> e : columns.entrySet()) {
          out.get(e.getKey()).add(e.getValue().get(i));
        }
        n++;
      }
    }
    return new Table(source, out, n);
  }

  private static Double parse(String v) {
    String s = v.trim();
    if (s.isEmpty()) {
      return null;
    }
    char c = s.charAt(0);
    // Double.parseDouble accepts "NaN", "Infinity" and "1d": not numbers in a data file
    if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) {
      return null;
    }
    char last = s.charAt(s.length() - 1);
    if (!(Character.isDigit(last) || last == '.')) {
      return null;
    }
    try {
      double d = Double.parseDouble(s);
      return Double.isFinite(d) ? d : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
