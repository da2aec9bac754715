package dev.strata.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.RejectedRecordException;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Replays the rows of a Parquet file in event-time order, as {@link FileReplay} does for text
 * files: row {@code i} of the replay is the {@code i}-th by event time (ties keep file order; rows
 * without a readable event time come first and go on to the dead letters).
 *
 * <p>DuckDB (in-process, one jar) reads and sorts the file — any codec, any Parquet timestamp
 * unit, larger than memory — so the job needs no Hadoop stack. The sorted rows stream through one
 * cursor; the generator source's checkpointed position is the row index, and a restored reader
 * reopens the cursor at that offset.
 *
 * <p>Columns map to the source schema by name; a column the file lacks is NULL. A TIMESTAMP column
 * may be any Parquet timestamp or date (read as UTC, as the batch side reads timestamp_ntz), whole
 * microseconds since the epoch, or ISO-8601 text. Values are read by {@link EventDecoder#decodeValues}, as
 * the batch side reads Parquet: a value that does not fit its column's type makes its row
 * malformed, with the reason, not the job fail.
 */
final class ParquetReplay implements GeneratorFunction<Long, Parsed> {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final String[] names;
  private final String[] types;
  private final int timeIndex;
  private final EventDecoder decoder;
  private final double speed;

  private transient Connection connection;
  private transient PreparedStatement query;
  private transient ResultSet rows;
  private transient long next;
  private transient DataType[] dataTypes;
  private transient ObjectMapper json;
  private transient long wallStartNanos;
  private transient long eventStartMicros;
  private transient boolean started;

  private ParquetReplay(Path path, Schema schema, String timeColumn, double speed) {
    this.path = path.toAbsolutePath().toString();
    this.names = schema.fields().stream().map(Field::name).toArray(String[]::new);
    this.types = schema.fields().stream().map(f -> f.type().sqlName()).toArray(String[]::new);
    this.timeIndex = schema.indexOf(timeColumn);
    this.decoder = EventDecoder.of(schema, timeColumn);
    this.speed = speed;
  }

  /** A replay of {@code file}, checked where the job is built, and its number of rows. */
  record Checked(ParquetReplay replay, long rows) {}

  /**
   * Opens the file once to check it and count its rows.
   *
   * @throws IllegalArgumentException (one sentence) for a file that is not Parquet, or lacks the event-time column
   */
  static Checked check(Path file, Schema schema, String timeColumn, double speed) {
    ParquetReplay replay = new ParquetReplay(file, schema, timeColumn, speed);
    try (Connection c = connect(); PreparedStatement count = c.prepareStatement("SELECT count(*) FROM read_parquet(?)")) {
      Map<String, String> columns = columnTypes(c, replay.path);
      if (!columns.containsKey(timeColumn)) {
        throw new IllegalArgumentException("Cannot replay " + file + ": it has no column '" + timeColumn
            + "' (the source's event time; columns: " + String.join(", ", columns.keySet()) + ")");
      }
      count.setString(1, replay.path);
      try (ResultSet r = count.executeQuery()) {
        r.next();
        return new Checked(replay, r.getLong(1));
      }
    } catch (SQLException e) {
      throw new IllegalArgumentException("Cannot replay " + file + " as Parquet: " + firstLine(e.getMessage()));
    } catch (LinkageError e) {
      // The job jar carries DuckDB's Linux libraries only (see the pom): say so, not a stack trace.
      throw new IllegalArgumentException("Cannot replay " + file + " as Parquet: DuckDB does not load on "
          + System.getProperty("os.name") + "/" + System.getProperty("os.arch") + " (" + e + ")");
    }
  }

  private static Connection connect() throws SQLException {
    try {
      Class.forName("org.duckdb.DuckDBDriver"); // registers it where Flink's user class loader can see it
    } catch (ClassNotFoundException e) {
      throw new SQLException("DuckDB is not on the classpath", e);
    }
    Connection c = DriverManager.getConnection("jdbc:duckdb:");
    try (Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'"); // time zone-less timestamps and casts read as UTC
      s.execute("SET threads = 1"); // one reader per job: leave the cores to the pipeline
    }
    return c;
  }

  /** Column name → DuckDB type of the file's columns, in file order. */
  private static Map<String, String> columnTypes(Connection c, String path) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (PreparedStatement p = c.prepareStatement("SELECT column_name, column_type FROM (DESCRIBE SELECT * FROM read_parquet(?))")) {
      p.setString(1, path);
      try (ResultSet r = p.executeQuery()) {
        while (r.next()) {
          out.put(r.getString(1), r.getString(2).toUpperCase(Locale.ROOT));
        }
      }
    }
    return out;
  }

  @Override
  public void open(SourceReaderContext context) throws Exception {
    dataTypes = new DataType[types.length];
    for (int i = 0; i < types.length; i++) {
      dataTypes[i] = DataType.parseOrNull(types[i]);
    }
    json = new ObjectMapper();
    connection = connect();
    Map<String, String> columns = columnTypes(connection, path);
    List<String> select = new ArrayList<>();
    String order = "NULL";
    for (int i = 0; i < names.length; i++) {
      String fileType = columns.get(names[i]);
      String column = quote(names[i]);
      String expr;
      if (fileType == null) {
        expr = "NULL";
      } else if (dataTypes[i] == DataType.TIMESTAMP && (fileType.startsWith("TIMESTAMP") || fileType.equals("DATE"))) {
        expr = "epoch_us(CAST(" + column + " AS TIMESTAMP))"; // any unit and zone → UTC microseconds
      } else {
        expr = column;
      }
      select.add(expr);
      if (i == timeIndex) {
        order = fileType != null && fileType.equals("VARCHAR") ? "TRY_CAST(" + column + " AS TIMESTAMPTZ)" : expr;
      }
    }
    select.add("file_row_number");
    query = connection.prepareStatement("SELECT " + String.join(", ", select) + " FROM read_parquet(?, file_row_number = true)"
        + " ORDER BY " + order + " NULLS FIRST, file_row_number OFFSET ?");
    seek(0);
  }

  /** Opens the sorted rows at {@code index}: at the start, and where a restored reader resumes. */
  private void seek(long index) throws SQLException {
    if (rows != null) {
      rows.close();
    }
    query.setString(1, path);
    query.setLong(2, index);
    rows = query.executeQuery();
    next = index;
  }

  @Override
  public Parsed map(Long index) throws Exception {
    if (index != next) {
      seek(index);
    }
    if (!rows.next()) {
      throw new IllegalStateException("Cannot replay row " + index + " of " + path + ": the file has fewer rows than when the job started");
    }
    next++;
    Object[] raw = new Object[names.length];
    for (int i = 0; i < raw.length; i++) {
      raw[i] = rows.getObject(i + 1);
    }
    long fileRow = rows.getLong(names.length + 1);
    Object[] row;
    try {
      row = decoder.decodeValues(raw);
    } catch (RejectedRecordException e) {
      return Parsed.malformed(describe(fileRow, raw), "malformed record: " + e.getMessage());
    }
    Object t = row[timeIndex];
    if (speed > 0) {
      pace((Long) t);
    }
    // A good row's record is where it is, not its text: dead letters of good rows (none in an
    // ordered replay) can still name it, and no row is rendered for nothing.
    return Parsed.ok(fileRow(fileRow), row, (Long) t);
  }

  private String fileRow(long fileRow) {
    return Path.of(path).getFileName() + "#" + fileRow;
  }

  /** The record of a malformed row: where it is and its values, as JSON. */
  private String describe(long fileRow, Object[] raw) {
    ObjectNode n = json.createObjectNode();
    for (int i = 0; i < raw.length; i++) {
      n.put(names[i], raw[i] == null ? null : raw[i].toString());
    }
    return fileRow(fileRow) + " " + n;
  }

  private void pace(long eventMicros) throws InterruptedException {
    if (!started) {
      started = true;
      wallStartNanos = System.nanoTime();
      eventStartMicros = eventMicros;
      return;
    }
    long dueNanos = wallStartNanos + (long) ((eventMicros - eventStartMicros) * 1000.0 / speed);
    long wait = dueNanos - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }

  @Override
  @SuppressWarnings("try") // the resources are only closed, in order: that is the point
  public void close() throws Exception {
    // The cursor, the statement and the in-memory database, innermost first.
    try (Connection c = connection; PreparedStatement q = query; ResultSet r = rows) {
      // closed by try-with-resources
    }
  }

  private static String quote(String identifier) {
    return '"' + identifier.replace("\"", "\"\"") + '"';
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable file";
    }
    int nl = message.indexOf('\n');
    return nl < 0 ? message : message.substring(0, nl);
  }
}
