package dev.strata.dsl.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the records of an event source into rows of its schema (values in schema order, by
 * {@link TypedValues}), or rejects them with a reason. Spark, Flink, the oracle and the tools all
 * decode through this class, so a record is the same event, or the same reject with the same
 * reason, wherever it is read.
 *
 * <p>Guarantees: a row it returns has one value per schema column, each of the column's type or
 * NULL, and a non-NULL event time inside {@link dev.strata.dsl.time.TimeDomain}. Serializable
 * (engines ship it to their workers).
 */
public final class EventDecoder implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String[] names;
  private final String[] typeNames;
  private final int timeIndex;
  private transient DataType[] types;

  private EventDecoder(Schema schema, String timeColumn) {
    this.names = schema.names().toArray(String[]::new);
    this.typeNames = schema.fields().stream().map(f -> f.type().sqlName()).toArray(String[]::new);
    this.timeIndex = schema.indexOf(timeColumn);
    if (timeIndex < 0 || schema.field(timeIndex).type() != DataType.TIMESTAMP) {
      throw new IllegalArgumentException("Cannot read events: the event time '" + timeColumn
          + "' is not a timestamp column of the schema");
    }
    this.types = schema.fields().stream().map(Field::type).toArray(DataType[]::new);
  }

  /** The decoder of a source with {@code schema} and event time column {@code timeColumn}. */
  public static EventDecoder of(Schema schema, String timeColumn) {
    return new EventDecoder(schema, timeColumn);
  }

  /** The number of columns of a row. */
  public int width() {
    return names.length;
  }

  public int timeIndex() {
    return timeIndex;
  }

  /** The event time of a row this decoder returned. */
  public long eventTime(Object[] row) {
    return (Long) row[timeIndex];
  }

  private DataType[] types() {
    if (types == null) {
      DataType[] t = new DataType[typeNames.length];
      for (int i = 0; i < t.length; i++) {
        t[i] = DataType.parseOrNull(typeNames[i]);
      }
      types = t;
    }
    return types;
  }

  // ------------------------------------------------------------------ CSV

  /** Where each column is in the records of one CSV file: found from its header. */
  public record CsvLayout(int width, int[] positions) implements Serializable {}

  /**
   * The layout of a CSV file with this header: each column by its exact name, else by its name
   * ignoring case; header columns the schema does not name are ignored.
   *
   * @throws IllegalArgumentException when a column is missing or the header names one twice
   */
  public CsvLayout csvLayout(List<String> header) {
    List<String> names = new ArrayList<>(header.size());
    Set<String> seen = new HashSet<>();
    for (String h : header) {
      String name = h == null ? "" : h;
      if (!seen.add(name)) {
        throw new IllegalArgumentException("the header names column '" + name + "' twice");
      }
      names.add(name);
    }
    int[] positions = new int[this.names.length];
    for (int i = 0; i < positions.length; i++) {
      positions[i] = indexOf(names, this.names[i]);
      if (positions[i] < 0) {
        throw new IllegalArgumentException("column '" + this.names[i] + "' is missing from the header (it has "
            + String.join(", ", names) + ")");
      }
    }
    return new CsvLayout(header.size(), positions);
  }

  private static int indexOf(List<String> names, String name) {
    int exact = names.indexOf(name);
    if (exact >= 0) {
      return exact;
    }
    for (int i = 0; i < names.size(); i++) {
      if (names.get(i).equalsIgnoreCase(name)) {
        return i;
      }
    }
    return -1;
  }

  /**
   * The row of a CSV record.
   *
   * @throws RejectedRecordException when the record is malformed, has another number of cells
   *     than the header, or a cell is not a value of its column
   */
  public Object[] decodeCsv(CsvLayout layout, EventCsv.Record record) throws RejectedRecordException {
    if (!record.isOk()) {
      throw new RejectedRecordException(record.error());
    }
    List<String> cells = record.cells();
    if (cells.size() != layout.width()) {
      throw new RejectedRecordException("expected " + layout.width() + " cells as in the header, got " + cells.size());
    }
    DataType[] t = types();
    Object[] row = new Object[names.length];
    for (int i = 0; i < row.length; i++) {
      try {
        row[i] = TypedValues.parse(cells.get(layout.positions()[i]), t[i]);
      } catch (ValueFormatException e) {
        throw column(i, e);
      }
    }
    return withTime(row);
  }

  /** The row of one CSV record's text (see {@link EventCsv#parseRecord}). */
  public Object[] decodeCsv(CsvLayout layout, String text) throws RejectedRecordException {
    return decodeCsv(layout, EventCsv.parseRecord(text));
  }

  // ------------------------------------------------------------------ JSON

  /** The row of a JSON record's text (see {@link EventJson}). */
  public Object[] decodeJson(String text) throws RejectedRecordException {
    return decodeJson(EventJson.parseRecord(text));
  }

  /** The row of a JSON object. */
  public Object[] decodeJson(ObjectNode record) throws RejectedRecordException {
    DataType[] t = types();
    Object[] row = new Object[names.length];
    for (int i = 0; i < row.length; i++) {
      JsonNode v = member(record, names[i]);
      try {
        row[i] = TypedValues.fromJson(v, t[i]);
      } catch (ValueFormatException e) {
        throw column(i, e);
      }
    }
    return withTime(row);
  }

  private static JsonNode member(ObjectNode record, String name) {
    JsonNode v = record.get(name);
    if (v != null) {
      return v;
    }
    for (Iterator<Map.Entry<String, JsonNode>> it = record.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (e.getKey().equalsIgnoreCase(name)) {
        return e.getValue();
      }
    }
    return null;
  }

  // ------------------------------------------------------------------ typed formats

  /**
   * The row of values a typed format (Parquet, Avro, a table) gave in schema order, each read by
   * {@link TypedValues#fromObject}. {@code values} is not changed.
   */
  public Object[] decodeValues(Object[] values) throws RejectedRecordException {
    DataType[] t = types();
    Object[] row = new Object[names.length];
    for (int i = 0; i < row.length; i++) {
      try {
        row[i] = TypedValues.fromObject(values[i], t[i]);
      } catch (ValueFormatException e) {
        throw column(i, e);
      }
    }
    return withTime(row);
  }

  private Object[] withTime(Object[] row) throws RejectedRecordException {
    if (row[timeIndex] == null) {
      throw new RejectedRecordException("column '" + names[timeIndex] + "': no event time (missing or empty)");
    }
    return row;
  }

  private RejectedRecordException column(int i, ValueFormatException e) {
    return new RejectedRecordException("column '" + names[i] + "': " + e.getMessage());
  }
}
