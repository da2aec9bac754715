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
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

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
    return read(path, Set.of());
  }

  /**
   * Reads by file extension, holding {@code textColumns} as text whatever they contain (a column
   * whose values name segments, say); every other column is held as numbers when all its
   * non-null values are numbers, else as text.
   *
   * <p>The file is read once, streaming: cells go to primitive column arrays in batches of rows
   * and no row is kept. A column that holds numbers and later text is read a second time, as
   * text, in a second pass that keeps only such columns.
   */
  public static Table read(Path path, Set<String> textColumns) throws IOException {
    return read(path, textColumns, scanner(path));
  }

  private static Table read(Path path, Set<String> textColumns, Scanner scanner) throws IOException {
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString());
    }
    Scan scan = scanner.scan(path, textColumns, null);
    Map<String, Column> again = scan.conflicted.isEmpty() ? Map.of() : readText(path, scan.conflicted, scanner);
    Map<String, Column> columns = new LinkedHashMap<>();
    for (String name : scan.order) {
      columns.put(name, scan.conflicted.contains(name) ? again.get(name) : scan.columns.get(name));
    }
    return new Table(path, path.toString(), columns, scan.rows);
  }

  /** The columns {@code names} of a file, every one as text. */
  static Map<String, Column> readText(Path path, Set<String> names) throws IOException {
    return readText(path, names, scanner(path));
  }

  private static Map<String, Column> readText(Path path, Set<String> names, Scanner scanner) throws IOException {
    Scan again = scanner.scan(path, names, names);
    if (!again.conflicted.isEmpty() || !again.columns.keySet().containsAll(names)) {
      throw new IOException("Cannot read " + path + ": it changed while being read");
    }
    return again.columns;
  }

  /** Reads a file's columns: all, or {@code only} those (null: all). */
  @FunctionalInterface
  private interface Scanner {
    Scan scan(Path path, Set<String> textColumns, Set<String> only) throws IOException;
  }

  private static Scanner scanner(Path path) throws IOException {
    String name = path.getFileName().toString().toLowerCase(Locale.ROOT);
    if (!Files.exists(path)) {
      throw new NoSuchFileException(path.toString());
    }
    if (name.endsWith(".csv")) {
      return Tables::scanCsv;
    }
    if (name.endsWith(".jsonl") || name.endsWith(".ndjson") || name.endsWith(".json")) {
      return Tables::scanJsonLines;
    }
    if (name.endsWith(".parquet")) {
      return Tables::scanParquet;
    }
    throw new TableFormatException(String.format(Locale.ROOT,
        "Cannot read %s: unsupported format (expected .csv, .parquet, .jsonl or .ndjson; Iceberg "
            + "tables are read by the Spark monitor job)", path));
  }

  /** A file read into columns; columns that turned from numbers to text are named, not held. */
  private static final class Scan {
    /** Every column read, in file order. */
    final List<String> order = new ArrayList<>();
    final Map<String, Column> columns = new LinkedHashMap<>();
    final Set<String> conflicted = new LinkedHashSet<>();
    int rows;
  }

  /** Rows per batch: cells of a batch are handed to each column's builder together. */
  private static final int BATCH = 4096;

  /**
   * Cells of a fixed set of columns, gathered row by row into batches and handed to the
   * column builders a column at a time.
   */
  private static final class Batches {
    private final List<String> names;
    private final Column.Builder[] builders;
    private final String[][] cells;
    private int n;
    private int rows;

    /** Builders already filled (by {@link PlainCsv}): only {@link #finish} is left. */
    Batches(List<String> names, Column.Builder[] builders, int rows) {
      this.names = names;
      this.builders = builders;
      this.cells = new String[builders.length][];
      this.rows = rows;
    }

    Batches(List<String> names, Set<String> textColumns, Set<String> only) {
      this.names = names;
      builders = new Column.Builder[names.size()];
      cells = new String[names.size()][];
      for (int i = 0; i < builders.length; i++) {
        String name = names.get(i);
        if (only == null || only.contains(name)) {
          builders[i] = new Column.Builder(textColumns.contains(name));
          cells[i] = new String[BATCH];
        }
      }
    }

    /** Only the cells of a kept column are read: {@code cell(i)} is not called for the others. */
    void row(java.util.function.IntFunction<String> cell) {
      for (int i = 0; i < builders.length; i++) {
        if (builders[i] != null) {
          cells[i][n] = cell.apply(i);
        }
      }
      if (++n == BATCH) {
        flush();
      }
    }

    private void flush() {
      if (n == 0) {
        return;
      }
      for (int i = 0; i < builders.length; i++) {
        if (builders[i] != null) {
          builders[i].addAll(cells[i], n);
          Arrays.fill(cells[i], 0, n, null);
        }
      }
      rows += n;
      n = 0;
    }

    Scan finish() {
      flush();
      Scan scan = new Scan();
      scan.rows = rows;
      for (int i = 0; i < builders.length; i++) {
        if (builders[i] != null) {
          scan.order.add(names.get(i));
          if (builders[i].conflicted()) {
            scan.conflicted.add(names.get(i));
          } else {
            scan.columns.put(names.get(i), builders[i].build());
          }
        }
      }
      return scan;
    }
  }

  /** A Parquet file; see {@link #scanParquet}. */
  public static Table readParquet(Path path) throws IOException {
    return read(path, Set.of(), Tables::scanParquet);
  }

  /**
   * A Parquet file through an in-memory DuckDB. Numbers keep their exact value as text: doubles
   * by Java's round-trip form, integers as they are; other types as DuckDB prints them.
   */
  private static Scan scanParquet(Path path, Set<String> textColumns, Set<String> only) throws IOException {
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:");
        java.sql.PreparedStatement q = c.prepareStatement("SELECT * FROM read_parquet(?)")) {
      q.setString(1, path.toAbsolutePath().toString());
      try (java.sql.ResultSet rs = q.executeQuery()) {
        java.sql.ResultSetMetaData meta = rs.getMetaData();
        int n = meta.getColumnCount();
        List<String> names = new ArrayList<>(n);
        for (int i = 1; i <= n; i++) {
          if (names.contains(meta.getColumnLabel(i))) {
            throw new TableFormatException("Cannot read " + path + ": duplicate column '" + meta.getColumnLabel(i) + "'");
          }
          names.add(meta.getColumnLabel(i));
        }
        Batches batches = new Batches(names, textColumns, only);
        java.sql.SQLException[] failure = new java.sql.SQLException[1];
        while (rs.next()) {
          batches.row(i -> {
            try {
              Object v = rs.getObject(i + 1);
              return v == null ? null
                  : v instanceof Double || v instanceof Float ? Double.toString(((Number) v).doubleValue())
                  : v instanceof Number ? v.toString()
                  : rs.getString(i + 1);
            } catch (java.sql.SQLException e) {
              failure[0] = e;
              return null;
            }
          });
          if (failure[0] != null) {
            throw failure[0];
          }
        }
        return batches.finish();
      }
    } catch (java.sql.SQLException e) {
      String reason = e.getMessage() == null ? "unreadable" : e.getMessage().lines().findFirst().orElse("unreadable");
      throw new TableFormatException("Cannot read " + path + " as Parquet: " + reason);
    }
  }

  /** A CSV file in Strata's dialect ({@link EventCsv}); a malformed record is an error for the file. */
  public static Table readCsv(Path path) throws IOException {
    return read(path, Set.of(), Tables::scanCsv);
  }

  private static Scan scanCsv(Path path, Set<String> textColumns, Set<String> only) throws IOException {
    try (BufferedReader in = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
      PlainCsv csv = new PlainCsv(in, Files.size(path), textColumns, only);
      csv.read();
      Batches done = new Batches(csv.names(), csv.builders(), csv.rows());
      return done.finish();
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new TableFormatException("Cannot read " + path + ": it is not UTF-8 text");
    } catch (PlainCsv.GiveUp e) {
      return scanCsvRecords(path, textColumns, only); // beyond the plain kind: the dialect's own reader
    }
  }

  /** As {@link #readCsv}, record by record through {@link EventCsv} only: what the fast path must equal. */
  static Table readCsvRecords(Path path) throws IOException {
    return read(path, Set.of(), Tables::scanCsvRecords);
  }

  /** Any CSV text of the dialect, record by record through {@link EventCsv}. */
  private static Scan scanCsvRecords(Path path, Set<String> textColumns, Set<String> only) throws IOException {
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
      for (String cell : header.cells()) {
        String h = cell == null ? "" : cell;
        if (names.contains(h)) {
          throw new TableFormatException("Cannot read " + path + ": duplicate column '" + h + "'");
        }
        names.add(h);
      }
      Batches batches = new Batches(names, textColumns, only);
      int rows = 0;
      for (EventCsv.Record rec = records.next(); rec != null; rec = records.next()) {
        if (!rec.isOk()) {
          throw new TableFormatException(String.format(Locale.ROOT, "Cannot read %s: record %d is malformed (%s)",
              path, rows + 1, rec.error()));
        }
        List<String> cells = rec.cells();
        if (cells.size() != names.size()) {
          throw new TableFormatException(String.format(Locale.ROOT,
              "Cannot read %s: record %d has %d fields, the header has %d", path, rows + 1,
              cells.size(), names.size()));
        }
        batches.row(cells::get);
        rows++;
      }
      return batches.finish();
    } catch (java.io.UncheckedIOException e) {
      if (e.getCause() instanceof java.nio.charset.CharacterCodingException) {
        throw new TableFormatException("Cannot read " + path + ": it is not UTF-8 text");
      }
      throw e.getCause();
    }
  }

  /** JSON lines: one object per line; a missing key or JSON null is null. */
  public static Table readJsonLines(Path path) throws IOException {
    return read(path, Set.of(), Tables::scanJsonLines);
  }

  /** JSON lines: a key first met at row k has k nulls before it; a missing key is null. */
  private static Scan scanJsonLines(Path path, Set<String> textColumns, Set<String> only) throws IOException {
    Map<String, Column.Builder> builders = new LinkedHashMap<>();
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
          if (!builders.containsKey(e.getKey()) && (only == null || only.contains(e.getKey()))) {
            Column.Builder fresh = new Column.Builder(textColumns.contains(e.getKey()));
            fresh.addNulls(rows);
            builders.put(e.getKey(), fresh);
          }
        }
        for (Map.Entry<String, Column.Builder> c : builders.entrySet()) {
          JsonNode v = node.get(c.getKey());
          c.getValue().add(v == null || v.isNull() ? null : v.isValueNode() ? v.asText() : v.toString());
        }
        rows++;
      }
    }
    Scan scan = new Scan();
    scan.rows = rows;
    builders.forEach((k, b) -> {
      scan.order.add(k);
      if (b.conflicted()) {
        scan.conflicted.add(k);
      } else {
        scan.columns.put(k, b.build());
      }
    });
    return scan;
  }

  /** A malformed input file: its message is the one sentence a user sees. */
  public static final class TableFormatException extends IOException {
    public TableFormatException(String message) {
      super(message);
    }
  }
}
