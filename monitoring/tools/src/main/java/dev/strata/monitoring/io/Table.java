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
