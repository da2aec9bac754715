package dev.strata.online;

import dev.strata.dsl.types.DataType;

/** Checks and normalizes entity key values given by callers (JSON numbers, strings). */
final class EntityKeys {
  private EntityKeys() {}

  static Object coerce(Object v, DataType type, String service, String key, int row) {
    String t = type.sqlName();
    switch (t) {
      case "string":
        if (v instanceof String) {
          return v;
        }
        break;
      case "bigint":
      case "int":
        if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
          return ((Number) v).longValue();
        }
        break;
      case "boolean":
        if (v instanceof Boolean) {
          return v;
        }
        break;
      default:
        return v;
    }
    throw new IllegalArgumentException("Cannot fetch features of service '" + service + "': key '" + key + "' of entity row "
        + row + " must be a " + t + ", got " + describe(v));
  }

  private static String describe(Object v) {
    if (v instanceof String) {
      return "a string";
    } else if (v instanceof Number) {
      return "a number";
    } else if (v instanceof Boolean) {
      return "a boolean";
    }
    return "a " + v.getClass().getSimpleName();
  }
}
