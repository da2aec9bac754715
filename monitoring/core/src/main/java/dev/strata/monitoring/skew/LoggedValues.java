package dev.strata.monitoring.skew;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.types.DataType;

/**
 * Values of a served-feature log (JSON) as feature-dsl values of the feature's type, by {@link
 * TypedValues}' JSON rules (the rules the server wrote them by: doubles that are not finite as
 * {@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"}; timestamps as microseconds). A value
 * that does not fit its type is returned as it is (its JSON text), so that it counts as a
 * mismatch rather than stopping the job.
 */
public final class LoggedValues {
  private LoggedValues() {}

  public static Object read(JsonNode n, DataType type) {
    try {
      return TypedValues.fromJson(n, type);
    } catch (ValueFormatException e) {
      return n.toString();
    }
  }
}
