package dev.strata.stream;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;

/** Conversions of record text to the language's Java values, shared by the formats. */
final class Values {
  private Values() {}

  /** Parses {@code text} as a value of {@code type}; empty text is NULL. */
  static Object fromText(String column, DataType type, String text) throws MalformedRecordException {
    if (text == null || text.isEmpty()) {
      return null;
    }
    try {
      if (type == DataType.STRING) {
        return text;
      } else if (type == DataType.LONG) {
        return Long.valueOf(text.trim());
      } else if (type == DataType.DOUBLE) {
        return Double.valueOf(text.trim());
      } else if (type == DataType.BOOLEAN) {
        String t = text.trim();
        if (t.equalsIgnoreCase("true")) {
          return Boolean.TRUE;
        } else if (t.equalsIgnoreCase("false")) {
          return Boolean.FALSE;
        }
        throw new MalformedRecordException("column '" + column + "': expected true or false, got '" + abbreviate(text) + "'");
      } else if (type == DataType.TIMESTAMP) {
        return Durations.parseInstant(text);
      }
    } catch (IllegalArgumentException e) {
      throw new MalformedRecordException("column '" + column + "': expected " + type.sqlName() + ", got '" + abbreviate(text) + "'");
    }
    throw new MalformedRecordException("column '" + column + "': type " + type.sqlName() + " is not supported in stream records");
  }

  static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
