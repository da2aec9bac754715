package dev.strata.monitoring.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.io.EventCsv;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads CSV (Strata's dialect, {@link EventCsv}: RFC 4180, a header row; an unquoted empty field
 * is null, {@code ""} the empty string) and JSON lines (one object per
 * line; a missing key or JSON null is null) and Parquet (through an in-process DuckDB: one jar,
 * no Hadoop). DuckDB is why this reader lives in monitoring-tools and not in the core that the
 * Spark job carries.
 */
public final class Tables {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Tables() {}

  /** Reads by file extension: .csv, .parquet, or .jsonl / .ndjson / .json (JSON lines). */
  public static Table read(Path path) throws IOException {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString());
    }
    if (name.endsWith(".csv")) {
      return readCsv(path);
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
      return readJsonLines(path);
    }
    if (name.endsWith(".parquet")) {
      return readParquet(path);
    }
    throw new TableFormatException(String.format(Locale.ROOT,
        "Cannot read %s: unsupported format (expected .csv, .parquet, .jsonl or .ndjson; Iceberg "
            + "tables are read by the Spark monitor job)", path));
  }

  /**
   * A Parquet file through an in-memory DuckDB. Numbers keep their exact value as text: doubles
   * by Java's round-trip form, integers as they are; other types as DuckDB prints them.
   */
  public static Table readParquet(Path path) throws IOException {
    Map<String, List<String>> cols = new LinkedHashMap<>();
    int rows = 0;
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.PreparedStatement q = c.prepareStatement("SELECT * FROM read_parquet(?)")) {
      q.setString(1, path.toAbsolutePath().toString());
      try (java.sql.ResultSet rs = q.executeQuery()) {
        java.sql.ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        List<List<String>> byIndex = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          List<String> values = new ArrayList<>();
          if (cols.put(meta.getColumnLabel(i), values) != null) {
            throw new TableFormatException("Cannot read " + path + ": duplicate column '" + meta.getColumnLabel(i) + "'");
          }
          byIndex.add(values);
        }
        while (rs.next()) {
          for (int i = 1; i <= n; i++) {
            Object v = rs.getObject(i);
            byIndex.get(i - 1).add(v == null ? null
                : v instanceof Double || v instanceof Float ? Double.toString(((Number) v).doubleValue())
                : v instanceof Number ? v.toString()
                : rs.getString(i));
          }
          rows++;
        }
      }
    } catch (java.sql.SQLException e) {
      String reason = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("unreadable");
      throw new TableFormatException("Cannot read " + path + " as Parquet: " + reason);
    }
    return new Table(path.toString(), cols, rows);
  }

  /** A CSV file in Strata's dialect ({@link EventCsv}); a malformed record is an error for the file. */
  public static Table readCsv(Path path) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8);
        EventCsv.RecordReader records = EventCsv.reader(in)) {
      EventCsv.Record header = records.next();
      if (header == null) {
        throw new TableFormatException("Cannot read " + path + ": the file is empty (expected a header row)");
      }
      if (!header.isOk()) {
        throw new TableFormatException("Cannot read " + path + ": the header row is malformed (" + header.error() + ")");
      }
      List<String> names = new ArrayList<>();
      Map<String, List<String>> cols = new LinkedHashMap<>();
      for (String cell : header.cells()) {
        String h = cell == null ? "" : cell;
        names.add(h);
        if (cols.put(h, new ArrayList<>()) != null) {
          throw new TableFormatException("Cannot read " + path + ": duplicate column '" + h + "'");
        }
      }
      int rows = 0;
      for (EventCsv.Record rec = records.next(); rec != null; rec = records.next()) {
        if (!rec.isOk()) {
          throw new TableFormatException(String.format(Locale.ROOT, "Cannot read %s: record %d is malformed (%s)",
              path, rows + 1, rec.error()));
        }
        if (rec.cells().size() != names.size()) {
          throw new TableFormatException(String.format(Locale.ROOT,
              "Cannot read %s: record %d has %d fields, the header has %d", path, rows + 1,
              rec.cells().size(), names.size()));
        }
        for (int i = 0; i < names.size(); i++) {
          cols.get(names.get(i)).add(rec.cells().get(i));
        }
        rows++;
      }
      return new Table(path.toString(), cols, rows);
    } catch (java.io.UncheckedIOException e) {
      if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
        throw new TableFormatException("Cannot read " + path + ": it is not UTF-8 text");
      }
      throw e.getCause();
    }
  }

  public static Table readJsonLines(Path path) throws IOException {
    Map<String, List<String>> cols = new LinkedHashMap<>();
    int rows = 0;
    int lineNo = 0;
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        lineNo++;
        if (line.isBlank()) {
          continue;
        }
        JsonNode node;
        try {
          node = JSON.readTree(line);
        } catch (JsonProcessingException e) {
          throw new TableFormatException(String.format(Locale.ROOT,
              "Cannot read %s: line %d is not JSON (%s)", path, lineNo, e.getOriginalMessage()));
        }
        if (!node.isObject()) {
          throw new TableFormatException(String.format(Locale.ROOT,
              "Cannot read %s: line %d is not a JSON object", path, lineNo));
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
          if (!cols.containsKey(e.getKey())) {
            List<String> fresh = new ArrayList<>();
            for (int i = 0; i < rows; i++) {
              fresh.add(null);
            }
            cols.put(e.getKey(), fresh);
          }
        }
        for (Map.Entry<String, List<String>> c : cols.entrySet()) {
          JsonNode v = node.get(c.getKey());
          c.getValue().add(v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
        }
        rows++;
      }
    }
    return new Table(path.toString(), cols, rows);
  }

  /** A malformed input file: its message is the one sentence a user sees. */
  public static final class TableFormatException extends IOException {
    public TableFormatException(String message) {
      super(message);
    }
  }
}
