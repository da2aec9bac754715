package dev.strata.monitoring.io;

import dev.strata.monitoring.drift.CategoryCounts;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A table read into memory, column by column, in primitive arrays (no object per row). A column
 * whose every non-null value in this file is a number is held as doubles; any other as
 * dictionary-encoded text, so "007" and "7" stay two categories. A column that is numeric here
 * but must be categorical (the other file has text in it) is read again as text by {@link
 * #asText}: its text is not kept beside the numbers, which would cost what the numbers save.
 * Immutable.
 */
public final class Table {
  private final Path path;
  private final String source;
  private final Map<String, Column> columns;
  private final int rows;

  Table(Path path, String source, Map<String, Column> columns, int rows) {
    this.path = path;
    this.source = source;
    this.columns = Collections.unmodifiableMap(new LinkedHashMap<>(columns));
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

  private Column column(String name) {
    Column c = columns.get(name);
    if (c == null) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "Cannot find column '%s' in %s: it has %s", name, source, columns.keySet()));
    }
    return c;
  }

  /** Whether every value of the column is null. */
  public boolean allNull(String name) {
    return column(name).nonNull() == 0;
  }

  /** Whether every non-null value parses as a finite number (and there is at least one). */
  public boolean isNumeric(String name) {
    Column c = column(name);
    if (c.nonNull() == 0) {
      return false;
    }
    if (c instanceof Column.Numbers) {
      return true;
    }
    for (String v : ((Column.Texts) c).dictionary()) {
      if (Double.isNaN(Cells.number(v))) {
        return false;
      }
    }
    return true;
  }

  /** The column as doubles, NaN for null (a fresh array); callers check {@link #isNumeric} first. */
  public double[] doubles(String name) {
    Column c = column(name);
    if (c instanceof Column.Numbers n) {
      return n.values().clone();
    }
    Column.Texts t = (Column.Texts) c;
    double[] byCode = new double[t.dictionary().length];
    for (int i = 0; i < byCode.length; i++) {
      byCode[i] = Cells.number(t.dictionary()[i]);
    }
    return decode(t, byCode);
  }

  /**
   * The column's category counts. A column held as numbers has to be read as text first
   * ({@link #asText}), unless it is all null.
   */
  public CategoryCounts categories(String name) {
    Column c = column(name);
    if (c instanceof Column.Texts t) {
      return CategoryCounts.of(t.dictionary(), t.counts(), t.size() - t.nonNull());
    }
    if (c.nonNull() > 0) {
      throw new IllegalStateException("Cannot count the categories of column '" + name + "' in " + source
          + ": it was read as numbers (read it as text first)");
    }
    return CategoryCounts.builder().addNulls(c.size()).build();
  }

  /** The distinct non-null values of a text column, sorted; a column held as numbers has none unless read as text. */
  public List<String> distinctValues(String name) {
    Column c = column(name);
    if (c instanceof Column.Texts t) {
      return List.copyOf(new TreeSet<>(Arrays.asList(t.dictionary())));
    }
    if (c.nonNull() > 0) {
      throw new IllegalStateException("Cannot list the values of column '" + name + "' in " + source
          + ": it was read as numbers (read it as text first)");
    }
    return List.of();
  }

  /**
   * This table with {@code names} held as text: columns held as numbers are read again from the
   * file as text (all-null ones need no reading); the others are kept as they are.
   */
  public Table asText(Collection<String> names) throws IOException {
    Map<String, Column> out = new LinkedHashMap<>(columns);
    Set<String> reread = new java.util.LinkedHashSet<>();
    for (String name : names) {
      Column c = columns.get(name);
      if (c instanceof Column.Numbers) {
        if (c.nonNull() == 0) {
          int[] codes = new int[c.size()];
          Arrays.fill(codes, -1);
          out.put(name, new Column.Texts(codes, new String[0], 0));
        } else {
          reread.add(name);
        }
      }
    }
    if (!reread.isEmpty()) {
      if (path == null) {
        throw new IllegalStateException("Cannot read columns " + reread + " of " + source + " as text: it is a selection of rows");
      }
      out.putAll(Tables.readText(path, reread));
    }
    return new Table(path, source, out, rows);
  }

  /**
   * Whether every non-null value is an ISO-8601 date or timestamp ({@code 2001-01-31},
   * {@code 2001-01-31 06:00:00}, {@code 2001-01-31T06:00:00.5Z}, with an optional offset), and
   * there is at least one.
   */
  public boolean isTemporal(String name) {
    Column c = column(name);
    if (!(c instanceof Column.Texts t) || c.nonNull() == 0) {
      return false; // numbers are not dates
    }
    for (String v : t.dictionary()) {
      if (Double.isNaN(parseEpochSeconds(v))) {
        return false;
      }
    }
    return true;
  }

  /**
   * The column as seconds since 1970-01-01T00:00:00Z, NaN for null; callers check {@link
   * #isTemporal} first. A date is its midnight; a time without an offset is taken as UTC (the
   * zone Strata reads timestamps in).
   */
  public double[] epochSeconds(String name) {
    Column c = column(name);
    if (!(c instanceof Column.Texts t)) {
      double[] out = new double[c.size()];
      Arrays.fill(out, Double.NaN);
      return out;
    }
    double[] byCode = new double[t.dictionary().length];
    for (int i = 0; i < byCode.length; i++) {
      byCode[i] = parseEpochSeconds(t.dictionary()[i]);
    }
    return decode(t, byCode);
  }

  private static double[] decode(Column.Texts t, double[] byCode) {
    int[] codes = t.codes();
    double[] out = new double[codes.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = codes[i] < 0 ? Double.NaN : byCode[codes[i]];
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

  /**
   * The rows whose text column {@code column} holds {@code value} (a column held as numbers
   * must be read as text first). The result is a selection: it cannot be read again as text.
   */
  public Table filter(String column, String value) {
    Column key = column(column);
    if (!(key instanceof Column.Texts t)) {
      if (key.nonNull() > 0) {
        throw new IllegalStateException("Cannot select rows by column '" + column + "' in " + source
            + ": it was read as numbers (read it as text first)");
      }
      return select(new int[0], 0);
    }
    int code = t.codeOf(value);
    int[] keep = new int[rows];
    int n = 0;
    if (code >= 0) {
      int[] codes = t.codes();
      for (int i = 0; i < codes.length; i++) {
        if (codes[i] == code) {
          keep[n++] = i;
        }
      }
    }
    return select(keep, n);
  }

  private Table select(int[] keep, int n) {
    Map<String, Column> out = new LinkedHashMap<>();
    columns.forEach((k, c) -> out.put(k, c.select(keep, n)));
    return new Table(null, source, out, n);
  }

  /** A text column's values, row by row (null for null); for tests. */
  String[] texts(String name) {
    Column.Texts t = (Column.Texts) column(name);
    String[] out = new String[t.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = t.codes()[i] < 0 ? null : t.dictionary()[t.codes()[i]];
    }
    return out;
  }

  /** Column names and how each is held, for messages and tests: {@code name:numbers} or {@code name:text}. */
  List<String> layout() {
    List<String> out = new ArrayList<>();
    columns.forEach((k, c) -> out.add(k + (c instanceof Column.Numbers ? ":numbers" : ":text")));
    return out;
  }
}
