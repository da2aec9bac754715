package dev.strata.stream;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.List;

/**
 * One CSV line per record (RFC 4180 quoting), columns found by the file's header; an empty
 * cell is NULL and columns of the header that the schema does not name are ignored.
 */
public final class CsvRowFormat implements RowFormat {
  private static final long serialVersionUID = 1L;

  private final String[] names;
  private final String[] types;
  private final int[] columnOf;
  private final int width;
  private transient DataType[] dataTypes;

  public CsvRowFormat(Schema schema, String headerLine) {
    List<String> header = split(headerLine);
    List<Field> fields = schema.fields();
    this.names = fields.stream().map(Field::name).toArray(String[]::new);
    this.types = fields.stream().map(f -> f.type().sqlName()).toArray(String[]::new);
    this.columnOf = new int[names.length];
    for (int i = 0; i < names.length; i++) {
      columnOf[i] = header.indexOf(names[i]);
    }
    this.width = header.size();
  }

  @Override
  public Object[] parse(String record) throws MalformedRecordException {
    if (dataTypes == null) {
      dataTypes = Formats.resolve(types);
    }
    List<String> cells = split(record);
    if (cells.size() != width) {
      throw new MalformedRecordException("expected " + width + " CSV columns, got " + cells.size());
    }
    Object[] row = new Object[names.length];
    for (int i = 0; i < row.length; i++) {
      row[i] = columnOf[i] < 0 ? null : Values.fromText(names[i], dataTypes[i], cells.get(columnOf[i]));
    }
    return row;
  }

  /** Splits one line into cells: commas separate, double quotes quote, "" is a quote. */
  static List<String> split(String line) {
    List<String> cells = new ArrayList<>();
    StringBuilder cell = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cell.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cell.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        cells.add(cell.toString());
        cell.setLength(0);
      } else if (c != '\r') {
        cell.append(c);
      }
    }
    cells.add(cell.toString());
    return cells;
  }
}
