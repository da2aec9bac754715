package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.util.Locale;

/** Checked unboxing of update values, with messages that name the function. */
final class Numbers {
  private Numbers() {}

  static long asLong(Object value, AggregationFunction function, DataType type) {
    if (value instanceof Long l) {
      return l;
    }
    throw wrongClass(value, function, type, Long.class);
  }

  static double asDouble(Object value, AggregationFunction function, DataType type) {
    if (value instanceof Double d) {
      return d;
    }
    throw wrongClass(value, function, type, Double.class);
  }

  private static IllegalArgumentException wrongClass(
      Object value, AggregationFunction function, DataType type, Class<?> expected) {
    return new IllegalArgumentException(
        String.format(Locale.ROOT, "Cannot update %s: expected a %s value (%s), got %s",
            function.yamlName(), type.sqlName(), expected.getName(), value.getClass().getName()));
  }
}
