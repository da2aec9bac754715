package dev.strata.dsl.io;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeDomain;
import dev.strata.dsl.types.DataType;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one codec between the text and JSON forms of values and the language's typed values
 * ({@link DataType}'s Java representation: Long, Double, String, Boolean, Long microseconds, List,
 * Map; NULL is null). Every edge that turns text or JSON into values (event files, Kafka payloads,
 * HTTP requests and responses, the serving log, the command line) and every writer of text or
 * JSON values goes through here, so a value means the same everywhere.
 *
 * <p><b>Text</b> (a CSV cell, a JSON string, a command-line key):
 *
 * <ul>
 *   <li>{@code string}: the text exactly, nothing trimmed.
 *   <li>Every other type: surrounding whitespace is ignored, and empty or blank text is NULL.
 *   <li>{@code bigint}: a decimal number whose value is a whole number in the signed 64-bit range:
 *       {@code 42}, {@code -7}, {@code 1.0}, {@code 1e3}. {@code 1.5}, {@code 0x10}, {@code 1_000}
 *       are rejected.
 *   <li>{@code double}: a decimal number ({@code -1.5}, {@code .5}, {@code 2e-3}; the nearest
 *       double), or {@code NaN}, {@code Infinity}, {@code -Infinity} in any case ({@code inf} too).
 *       Hexadecimal and Java's {@code d}/{@code f} suffixes are rejected.
 *   <li>{@code boolean}: {@code true} or {@code false} in any case.
 *   <li>{@code timestamp}: ISO-8601 as {@link Durations#parseInstant} reads it ({@code
 *       2001-01-01T00:47:00Z}, {@code 2001-01-01 00:47:00}, {@code 2001-01-01}); text without an
 *       offset is UTC. An instant outside {@link TimeDomain} is rejected with its message.
 *   <li>{@code array<…>} and {@code map<…>}: JSON text, read by the JSON rules.
 * </ul>
 *
 * <p><b>JSON</b>: {@code null} is NULL; a JSON string is read by the text rules (so {@code "12"}
 * is 12 for a bigint, {@code "NaN"} is NaN for a double, and {@code ""} is NULL for every type
 * but string); a number is a bigint when its value is whole and in range ({@code 12}, {@code
 * 12.0}), a double (its nearest double), or a timestamp as whole microseconds since the epoch,
 * and never a string or a boolean. A number with a fraction or an exponent is a double first,
 * as in JavaScript and Python's {@code json} ({@code 9007199254740993.0} is 9007199254740992;
 * write whole numbers without a fraction); {@code true}/{@code false} are booleans only; an array is a
 * list, an object a map whose member names are keys in text form.
 *
 * <p><b>Written</b> text is read back to the same value: bigints in decimal, doubles as Java's
 * {@link Double#toString} ({@code NaN}, {@code Infinity}, {@code -Infinity}), booleans {@code
 * true}/{@code false}, timestamps ISO-8601 UTC ({@code 2001-01-01T00:47:00Z}, fraction as needed),
 * lists and maps as JSON. Written JSON uses numbers (doubles that are not finite as the strings
 * above), strings, booleans, timestamps as integer microseconds, arrays and objects.
 */
public final class TypedValues {
  private static final JsonMapper JSON = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private static final Pattern SMALL_INTEGER = Pattern.compile("[+-]?\\d{1,18}");
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?");
  private static final String DOMAIN = "Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)";

  private TypedValues() {}

  // ------------------------------------------------------------------ text

  /**
   * Reads the text form of a value.
   *
   * @return the value, or null for null text (and blank text of a type other than string)
   * @throws ValueFormatException when the text is not a value of {@code type}
   */
  public static Object parse(String text, DataType type) {
    if (text == null) {
      return null;
    }
    if (type == DataType.STRING) {
      return text;
    }
    String t = text.strip();
    if (t.isEmpty()) {
      return null;
    }
    if (type instanceof DataType.ListType || type instanceof DataType.MapType) {
      JsonNode node;
      try {
        node = JSON.readTree(t);
      } catch (JsonProcessingException e) {
        throw expected(type, text);
      }
      return fromJson(node, type);
    }
    return switch ((DataType.Primitive) type) {
      case LONG -> parseLong(t, text);
      case DOUBLE -> parseDouble(t, text);
      case BOOLEAN -> {
        if (t.equalsIgnoreCase("true")) {
          yield Boolean.TRUE;
        } else if (t.equalsIgnoreCase("false")) {
          yield Boolean.FALSE;
        }
        throw expected(type, text);
      }
      case TIMESTAMP -> parseTimestamp(t, text);
      case STRING -> text;
    };
  }

  /** The text form of a value; null for NULL. */
  public static String format(Object value, DataType type) {
    if (value == null) {
      return null;
    }
    if (type instanceof DataType.ListType || type instanceof DataType.MapType) {
      StringWriter out = new StringWriter();
      try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
        writeJson(g, value, type);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return out.toString();
    }
    return switch ((DataType.Primitive) type) {
      case STRING -> (String) value;
      case LONG -> Long.toString(((Number) value).longValue());
      case DOUBLE -> formatDouble(((Number) value).doubleValue());
      case BOOLEAN -> value.toString();
      case TIMESTAMP -> Durations.formatInstant(((Number) value).longValue());
    };
  }

  private static String formatDouble(double d) {
    if (Double.isNaN(d)) {
      return "NaN";
    }
    return Double.toString(d); // "Infinity", "-Infinity" for the infinities
  }

  private static long parseLong(String t, String text) {
    if (SMALL_INTEGER.matcher(t).matches()) {
      return Long.parseLong(t);
    }
    if (!DECIMAL.matcher(t).matches()) {
      throw expected(DataType.LONG, text);
    }
    return wholeLong(new BigDecimal(t), DataType.LONG, "'" + abbreviate(text) + "'");
  }

  private static double parseDouble(String t, String text) {
    if (DECIMAL.matcher(t).matches()) {
      return Double.parseDouble(t);
    }
    switch (t.toLowerCase(Locale.ROOT)) {
      case "nan":
        return Double.NaN;
      case "inf": case "+inf": case "infinity": case "+infinity":
        return Double.POSITIVE_INFINITY;
      case "-inf": case "-infinity":
        return Double.NEGATIVE_INFINITY;
      default:
        throw expected(DataType.DOUBLE, text);
    }
  }

  private static long parseTimestamp(String t, String text) {
    long micros;
    try {
      micros = Durations.parseInstant(t);
    } catch (ArithmeticException e) {
      // A year far beyond the domain: its microseconds do not fit a long.
      throw new ValueFormatException("Cannot use timestamp " + abbreviate(t) + ": " + DOMAIN);
    } catch (RuntimeException e) {
      throw expected(DataType.TIMESTAMP, text);
    }
    return inDomain(micros);
  }

  private static long inDomain(long micros) {
    try {
      return TimeDomain.check(micros, "timestamp");
    } catch (IllegalArgumentException e) {
      throw new ValueFormatException(e.getMessage());
    }
  }

  // ------------------------------------------------------------------ JSON

  /**
   * Reads a JSON value (a member of an event, a request value, a logged value).
   *
   * @throws ValueFormatException when it is not a value of {@code type}
   */
  public static Object fromJson(JsonNode node, DataType type) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    }
    if (node.isTextual()) {
      return parse(node.textValue(), type);
    }
    if (node.isNumber()) {
      return fromNumber(node.numberValue(), type, node.asText());
    }
    if (node.isBoolean()) {
      if (type == DataType.BOOLEAN) {
        return node.booleanValue();
      }
      throw new ValueFormatException("expected " + type.sqlName() + ", got " + node.booleanValue());
    }
    if (node.isArray() && type instanceof DataType.ListType l) {
      List<Object> out = new ArrayList<>(node.size());
      for (JsonNode e : node) {
        out.add(fromJson(e, l.element()));
      }
      return out;
    }
    if (node.isObject() && type instanceof DataType.MapType m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = node.properties().iterator(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        out.put(mapKey(e.getKey(), m.key()), fromJson(e.getValue(), m.value()));
      }
      return out;
    }
    throw new ValueFormatException("expected " + type.sqlName() + ", got a JSON " + (node.isArray() ? "array"
        : node.isObject() ? "object" : node.getNodeType().name().toLowerCase(Locale.ROOT)));
  }

  /**
   * Reads a value given in JSON's data model as Java objects (what Jackson makes of JSON: String,
   * Long, Integer, BigInteger, Double, BigDecimal, Boolean, List, Map), or as a {@link JsonNode}
   * or a {@code java.time} instant, local date-time (UTC) or date (midnight UTC) for timestamps.
   * The rules are {@link #fromJson}'s.
   *
   * @throws ValueFormatException when it is not a value of {@code type}
   */
  public static Object fromObject(Object value, DataType type) {
    if (value == null) {
      return null;
    } else if (value instanceof String s) {
      return parse(s, type);
    } else if (value instanceof Number n) {
      return fromNumber(n, type, n.toString());
    } else if (value instanceof Boolean b) {
      if (type == DataType.BOOLEAN) {
        return b;
      }
      throw new ValueFormatException("expected " + type.sqlName() + ", got " + b);
    } else if (value instanceof JsonNode n) {
      return fromJson(n, type);
    } else if (type == DataType.TIMESTAMP && value instanceof Instant i) {
      return inDomain(instantMicros(i));
    } else if (type == DataType.TIMESTAMP && value instanceof LocalDateTime l) {
      return inDomain(instantMicros(l.toInstant(ZoneOffset.UTC)));
    } else if (type == DataType.TIMESTAMP && value instanceof LocalDate d) {
      return inDomain(instantMicros(d.atStartOfDay(ZoneOffset.UTC).toInstant()));
    } else if (type == DataType.TIMESTAMP && value instanceof java.sql.Timestamp ts) {
      return inDomain(instantMicros(ts.toInstant()));
    } else if (type == DataType.TIMESTAMP && value instanceof java.sql.Date d) {
      return inDomain(instantMicros(d.toLocalDate().atStartOfDay(ZoneOffset.UTC).toInstant()));
    } else if (value instanceof List<?> list && type instanceof DataType.ListType l) {
      List<Object> out = new ArrayList<>(list.size());
      for (Object e : list) {
        out.add(fromObject(e, l.element()));
      }
      return out;
    } else if (value instanceof Map<?, ?> map && type instanceof DataType.MapType m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        Object key = e.getKey() instanceof String s ? mapKey(s, m.key()) : fromObject(e.getKey(), m.key());
        if (key == null) {
          throw new ValueFormatException("expected " + type.sqlName() + ", got a NULL key");
        }
        out.put(key, fromObject(e.getValue(), m.value()));
      }
      return out;
    }
    throw new ValueFormatException("expected " + type.sqlName() + ", got " + describe(value));
  }

  /**
   * Writes a value as JSON (see the class comment).
   *
   * @throws IOException from the generator
   */
  public static void writeJson(JsonGenerator g, Object value, DataType type) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (type instanceof DataType.ListType l) {
      g.writeStartArray();
      for (Object e : (List<?>) value) {
        writeJson(g, e, l.element());
      }
      g.writeEndArray();
    } else if (type instanceof DataType.MapType m) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
        g.writeFieldName(String.valueOf(format(e.getKey(), m.key())));
        writeJson(g, e.getValue(), m.value());
      }
      g.writeEndObject();
    } else {
      switch ((DataType.Primitive) type) {
        case STRING -> g.writeString((String) value);
        case LONG, TIMESTAMP -> g.writeNumber(((Number) value).longValue());
        case BOOLEAN -> g.writeBoolean((Boolean) value);
        case DOUBLE -> {
          double d = ((Number) value).doubleValue();
          if (Double.isFinite(d)) {
            g.writeNumber(d);
          } else {
            g.writeString(formatDouble(d));
          }
        }
      }
    }
  }

  /**
   * Writes a value of no declared type (a request's entity key, a prediction) as JSON: the
   * Java types of {@link #fromObject}, lists and maps; anything else as its text.
   */
  public static void writeUntypedJson(JsonGenerator g, Object value) throws IOException {
    if (value == null) {
      g.writeNull();
    } else if (value instanceof String s) {
      g.writeString(s);
    } else if (value instanceof Boolean b) {
      g.writeBoolean(b);
    } else if (value instanceof Double || value instanceof Float) {
      writeJson(g, value, DataType.DOUBLE);
    } else if (value instanceof BigDecimal d) {
      g.writeNumber(d);
    } else if (value instanceof BigInteger i) {
      g.writeNumber(i);
    } else if (value instanceof Number n) {
      g.writeNumber(n.longValue());
    } else if (value instanceof List<?> list) {
      g.writeStartArray();
      for (Object e : list) {
        writeUntypedJson(g, e);
      }
      g.writeEndArray();
    } else if (value instanceof Map<?, ?> map) {
      g.writeStartObject();
      for (Map.Entry<?, ?> e : map.entrySet()) {
        g.writeFieldName(String.valueOf(e.getKey()));
        writeUntypedJson(g, e.getValue());
      }
      g.writeEndObject();
    } else {
      g.writeString(value.toString());
    }
  }

  /**
   * A JSON value in JSON's data model as Java objects (String, Long or BigInteger, Double or
   * BigDecimal, Boolean, List, Map; null), for values whose type is not known where they are read.
   */
  public static Object untyped(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return null;
    } else if (node.isTextual()) {
      return node.textValue();
    } else if (node.isBoolean()) {
      return node.booleanValue();
    } else if (node.isIntegralNumber()) {
      return node.canConvertToLong() ? (Object) node.longValue() : node.bigIntegerValue();
    } else if (node.isNumber()) {
      return node.isBigDecimal() ? node.decimalValue() : node.doubleValue();
    } else if (node.isArray()) {
      List<Object> out = new ArrayList<>(node.size());
      node.forEach(e -> out.add(untyped(e)));
      return out;
    } else if (node.isObject()) {
      Map<String, Object> out = new LinkedHashMap<>();
      node.properties().forEach(e -> out.put(e.getKey(), untyped(e.getValue())));
      return out;
    }
    return node.asText();
  }

  // ------------------------------------------------------------------ numbers

  private static Object fromNumber(Number n, DataType type, String text) {
    if (type == DataType.DOUBLE) {
      return n.doubleValue(); // BigDecimal and BigInteger round correctly to the nearest double
    }
    if (type == DataType.LONG) {
      return wholeLong(n, type, text);
    }
    if (type == DataType.TIMESTAMP) {
      return inDomain(wholeLong(n, type, text));
    }
    throw new ValueFormatException("expected " + type.sqlName() + ", got a number (" + abbreviate(text) + ")");
  }

  private static final double TWO_63 = 0x1p63;

  /** The value of a number as a long when it is whole and in range. */
  private static long wholeLong(Number n, DataType type, String shown) {
    if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
      return n.longValue();
    }
    if (n instanceof BigInteger i) {
      if (i.bitLength() < 64) {
        return i.longValue();
      }
      throw outOfRange(type, shown);
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (Double.isFinite(d) && d == Math.rint(d)) {
        if (d >= -TWO_63 && d < TWO_63) {
          return (long) d;
        }
        throw outOfRange(type, shown);
      }
      throw new ValueFormatException("expected " + type.sqlName() + ", got " + shown);
    }
    BigDecimal d = n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
    if (d.signum() == 0) {
      return 0L;
    }
    if (d.precision() - d.scale() > 19) { // at least 10^19: out of range, without expanding 1e999999999
      throw outOfRange(type, shown);
    }
    BigDecimal whole = d.stripTrailingZeros();
    if (whole.scale() > 0) {
      throw new ValueFormatException("expected " + type.sqlName() + ", got " + shown);
    }
    try {
      return whole.longValueExact();
    } catch (ArithmeticException e) {
      throw outOfRange(type, shown);
    }
  }

  private static ValueFormatException outOfRange(DataType type, String shown) {
    return new ValueFormatException("expected " + type.sqlName() + ", got " + shown + " (out of range)");
  }

  private static Object mapKey(String text, DataType keyType) {
    Object key = parse(text, keyType);
    if (key == null) {
      throw new ValueFormatException("expected a map key of type " + keyType.sqlName() + ", got '" + abbreviate(text) + "'");
    }
    return key;
  }

  private static long instantMicros(Instant i) {
    try {
      return Durations.toMicros(i);
    } catch (ArithmeticException e) {
      throw new ValueFormatException("Cannot use timestamp " + i + ": " + DOMAIN);
    }
  }

  private static ValueFormatException expected(DataType type, String text) {
    return new ValueFormatException("expected " + type.sqlName() + ", got '" + abbreviate(text) + "'");
  }

  private static String describe(Object v) {
    return "a " + v.getClass().getSimpleName() + " (" + abbreviate(String.valueOf(v)) + ")";
  }

  /** Text for a message: at most 60 characters. */
  static String abbreviate(String text) {
    return text.length() <= 60 ? text : text.substring(0, 57) + "...";
  }
}
