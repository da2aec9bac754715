package dev.strata.monitoring.testing;

import dev.strata.dsl.io.EventCsv;
import dev.strata.dsl.testing.FlightsSample;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The bundled flights sample (examples/flights/data/flights-20k.csv) column by column, as text,
 * for the core's tests. The file readers live in monitoring-tools, which depends on this module;
 * the core's tests read the sample through feature-dsl's {@link EventCsv} instead.
 */
public final class FlightsColumns {
  private final Map<String, List<String>> columns;
  private final int rows;

  private FlightsColumns(Map<String, List<String>> columns, int rows) {
    this.columns = columns;
    this.rows = rows;
  }

  public static Path file() {
    return FlightsSample.exampleDir().resolve("data").resolve("flights-20k.csv");
  }

  /** The whole sample; a malformed record fails the test. */
  public static FlightsColumns read() throws IOException {
    try (BufferedReader in = Files.newBufferedReader(file(), StandardCharsets.UTF_8);
        EventCsv.RecordReader records = EventCsv.reader(in)) {
      List<String> names = records.next().cells();
      Map<String, List<String>> cols = new LinkedHashMap<>();
      names.forEach(n -> cols.put(n, new ArrayList<>()));
      int n = 0;
      for (EventCsv.Record r = records.next(); r != null; r = records.next()) {
        if (!r.isOk() || r.cells().size() != names.size()) {
          throw new IllegalStateException("Cannot read " + file() + ": record " + (n + 1) + " is malformed");
        }
        for (int i = 0; i < names.size(); i++) {
          cols.get(names.get(i)).add(r.cells().get(i));
        }
        n++;
      }
      return new FlightsColumns(cols, n);
    }
  }

  public int rows() {
    return rows;
  }

  /** The rows where {@code keep} holds for the value of {@code column}. */
  public FlightsColumns filter(String column, Predicate<String> keep) {
    List<String> key = columns.get(column);
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
    return new FlightsColumns(out, n);
  }

  /** A numeric column, NaN for null; a value that is not a finite number fails the test. */
  public double[] doubles(String column) {
    List<String> c = columns.get(column);
    double[] out = new double[c.size()];
    for (int i = 0; i < out.length; i++) {
      String v = c.get(i);
      out[i] = v == null || v.isEmpty() ? Double.NaN : Double.parseDouble(v);
      if (Double.isInfinite(out[i]) || (Double.isNaN(out[i]) && v != null && !v.isEmpty())) {
        throw new IllegalStateException("Cannot read " + column + " as a number: " + v);
      }
    }
    return out;
  }

  public String[] strings(String column) {
    return columns.get(column).toArray(new String[0]);
  }
}
