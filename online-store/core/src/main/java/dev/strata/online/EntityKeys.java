package dev.strata.online;

import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.types.DataType;

/**
 * Entity key values given by callers (JSON values of a request, Java values of an in-process
 * call) as values of the key's type, by {@link TypedValues}' JSON rules: the key {@code "12"} of a
 * bigint key is 12, as a CSV or JSON event's would be.
 */
final class EntityKeys {
  private EntityKeys() {}

  static Object coerce(Object v, DataType type, String service, String key, int row) {
    Object value;
    try {
      value = TypedValues.fromObject(v, type);
    } catch (ValueFormatException e) {
      throw new BadRequestException("Cannot fetch features of service '" + service + "': key '" + key + "' of entity row "
          + row + " must be a " + type.sqlName() + " (" + e.getMessage() + ")");
    }
    if (value == null) {
      throw new BadRequestException("Cannot fetch features of service '" + service + "': entity row " + row
          + " has no value for key '" + key + "'");
    }
    return value;
  }
}
