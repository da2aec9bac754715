package dev.strata.stream;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.List;

/**
 * One JSON object per record, one member per schema column (missing or null = NULL; other
 * members are ignored). Timestamps are ISO-8601 text or a number of microseconds since the
 * epoch, the unit of the language.
 */
public final class JsonRowFormat implements RowFormat {
  private static final long serialVersionUID = 1L;

  private final String[] names;
  private final String[] types;
  private transient ObjectMapper mapper;
  private transient DataType[] dataTypes;

  public JsonRowFormat(Schema schema) {
    List<Field> fields = schema.fields();
    this.names = fields.stream().map(Field::name).toArray(String[]::new);
    // DataType is not serializable: keep the SQL names, resolve where the function runs.
    this.types = fields.stream().map(f -> f.type().sqlName()).toArray(String[]::new);
  }

  @Override
  public Object[] parse(String record) throws MalformedRecordException {
    if (mapper == null) {
      mapper = new ObjectMapper();
      dataTypes = Formats.resolve(types);
    }
    JsonNode node;
    try {
      node = mapper.readTree(record);
    } catch (JsonProcessingException e) {
      throw new MalformedRecordException("not JSON: " + e.getOriginalMessage());
    }
    if (node == null || !node.isObject()) {
      throw new MalformedRecordException("expected a JSON object, got " + (node == null ? "nothing" : node.getNodeType().name().toLowerCase()));
    }
    Object[] row = new Object[names.length];
    for (int i = 0; i < row.length; i++) {
      row[i] = value(names[i], dataTypes[i], node.get(names[i]));
    }
    return row;
  }

  private static Object value(String column, DataType type, JsonNode v) throws MalformedRecordException {
    if (v == null || v.isNull()) {
      return null;
    }
    if (v.isContainerNode()) {
      throw new MalformedRecordException("column '" + column + "': expected " + type.sqlName() + ", got a JSON " + v.getNodeType().name().toLowerCase());
    }
    if (type == DataType.LONG || type == DataType.TIMESTAMP) {
      if (v.isIntegralNumber() && v.canConvertToLong()) {
        return v.longValue();
      }
      if (v.isNumber()) {
        throw new MalformedRecordException("column '" + column + "': expected a whole number, got " + v.asText());
      }
    } else if (type == DataType.DOUBLE && v.isNumber()) {
      return v.doubleValue();
    } else if (type == DataType.BOOLEAN && v.isBoolean()) {
      return v.booleanValue();
    }
    return Values.fromText(column, type, v.asText());
  }
}
