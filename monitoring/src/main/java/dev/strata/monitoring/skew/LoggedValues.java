package dev.strata.monitoring.skew;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Values of a served-feature log (JSON) as feature-dsl values of the feature's type: bigint →
 * Long, double → Double ({@code "NaN"}, {@code "Infinity"}, {@code "-Infinity"} accepted as
 * strings, since JSON has no such numbers), string, boolean, timestamp → Long microseconds (a
 * number of microseconds or an ISO-8601 instant), lists and maps element by element. A value
 * that does not fit its type is returned as it is (its JSON text), so that it counts as a
 * mismatch rather than stopping the job.
 */
public final class LoggedValues {
  private LoggedValues() {}

  public static Object read(JsonNode n, DataType type) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return null;
    }
    if (type instanceof DataType.ListType l && n.isArray()) {
      List<Object> out = new ArrayList<>();
      n.forEach(e -> out.add(read(e, l.element())));
      return out;
    }
    if (type instanceof DataType.MapType m && n.isObject()) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(key(e.getKey(), m.key()), read(e.getValue(), m.value()));
      }
      return out;
    }
    if (type == DataType.LONG && n.canConvertToExactIntegral() && n.canConvertToLong()) {
      return n.longValue();
    }
    if (type == DataType.DOUBLE) {
      if (n.isNumber()) {
        return n.doubleValue();
      }
      if (n.isTextual()) {
        switch (n.textValue()) {
          case "NaN": return Double.NaN;
          case "Infinity": return Double.POSITIVE_INFINITY;
          case "-Infinity": return Double.NEGATIVE_INFINITY;
          default: break;
        }
      }
    }
    if (type == DataType.STRING && n.isTextual()) {
      return n.textValue();
    }
    if (type == DataType.BOOLEAN && n.isBoolean()) {
      return n.booleanValue();
    }
    if (type == DataType.TIMESTAMP) {
      if (n.canConvertToExactIntegral() && n.canConvertToLong()) {
        return n.longValue();
      }
      if (n.isTextual()) {
        try {
          return Durations.parseInstant(n.textValue());
        } catch (RuntimeException e) {
          return n.toString();
        }
      }
    }
    return n.toString();
  }

  private static Object key(String text, DataType type) {
    if (type == DataType.LONG) {
      try {
        return Long.parseLong(text);
      } catch (NumberFormatException e) {
        return text;
      }
    }
    return text;
  }
}
