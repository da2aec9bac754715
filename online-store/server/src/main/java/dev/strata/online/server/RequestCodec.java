package dev.strata.online.server;

import static dev.strata.online.server.FeatureServer.MAX_JSON_DEPTH;
import static dev.strata.online.server.FeatureServer.MAX_NAME_CHARS;
import static dev.strata.online.server.FeatureServer.MAX_VALUE_BYTES;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeDomain;
import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Decodes request bodies: strict JSON, Feast's {@code get-online-features} request, and the
 * columns of the logging requests. Stateless and thread-safe.
 *
 * <p>Guarantees: a body it accepts is exactly one JSON value within the limits of {@link
 * FeatureServer} (names at most {@code MAX_NAME_CHARS} characters, entity values, predictions and
 * labels at most {@code MAX_VALUE_BYTES} bytes, nesting at most {@code MAX_JSON_DEPTH}); anything
 * else is a {@link BadRequestException} whose message is the one sentence the client gets, and
 * which never echoes an over-long name or value. Values come back in JSON's data model ({@link
 * TypedValues#untyped}); the reader types them by the entity keys.
 */
final class RequestCodec {
  /** Request ids the server accepts from clients (and logs under): 1 to 128 of {@code [A-Za-z0-9._:-]}. */
  static final Pattern REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  private RequestCodec() {}

  /**
   * A {@code get-online-features} request: a service name or a feature list, entity columns of
   * {@code rows} rows, and the instant to read as of (null: now).
   */
  record FeatureRequest(String service, JsonNode features, Map<String, List<Object>> columns, int rows, Long asOfMicros) {
    /** The entity rows, key name to value, in request order. */
    List<Map<String, Object>> entityRows() {
      List<Map<String, Object>> out = new ArrayList<>(rows);
      for (int r = 0; r < rows; r++) {
        Map<String, Object> row = new LinkedHashMap<>();
        for (Map.Entry<String, List<Object>> c : columns.entrySet()) {
          row.put(c.getKey(), c.getValue().get(r));
        }
        out.add(row);
      }
      return out;
    }
  }

  /**
   * The JSON of a request's body. Reading the body may fail too (the client closes the connection
   * before sending what its Content-Length announced): that is a 400 as well.
   */
  static JsonNode body(Context ctx) {
    JsonNode body;
    try {
      body = Json.STRICT.readTree(ctx.bodyAsBytes());
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      throw new BadRequestException("Cannot parse the request: the JSON is nested deeper than " + MAX_JSON_DEPTH
          + " levels or has a value too long.");
    } catch (JsonProcessingException e) {
      String m = String.valueOf(e.getOriginalMessage());
      if (m.startsWith("Duplicate field")) {
        throw new BadRequestException("Cannot parse the request: the JSON has a duplicate key (" + HttpErrors.printable(m) + ").");
      } else if (m.contains("Trailing token")) {
        throw new BadRequestException("Cannot parse the request: malformed JSON (content after the end of the JSON value).");
      }
      throw new BadRequestException("Cannot parse the request: malformed JSON (" + HttpErrors.printable(m) + ").");
    } catch (java.io.IOException e) {
      throw new BadRequestException("Cannot read the request body.");
    }
    if (body == null || body.isMissingNode()) {
      throw new BadRequestException("Cannot parse the request: the body is empty.");
    }
    return body;
  }

  /**
   * Feast's request: {@code {"feature_service": "s", "entities": {"key": [values…], …}}} or
   * {@code "features": ["group.feature", …]} instead of the service, and Strata's optional {@code
   * "as_of": "<ISO-8601 instant>"} to read exactly as of that instant. Checks the shape, the names
   * and values against the limits, and that the columns have one length; not the feature list
   * (see {@link #featureRefs}) nor the row limit.
   */
  static FeatureRequest featureRequest(JsonNode body) {
    if (!body.isObject()) {
      throw new BadRequestException("Cannot parse the request: expected a JSON object with feature_service and entities.");
    }
    JsonNode service = body.get("feature_service");
    JsonNode features = body.get("features");
    if ((service == null || !service.isTextual()) && (features == null || !features.isArray())) {
      throw new BadRequestException(
          "Cannot serve the request: give \"feature_service\" (a name) or \"features\" (a list of group.feature).");
    }
    JsonNode entities = body.get("entities");
    if (entities == null || !entities.isObject() || entities.isEmpty()) {
      throw new BadRequestException("Cannot serve the request: \"entities\" must be an object of key name to a list of values.");
    }
    boolean byService = service != null && service.isTextual();
    if (byService) {
      checkName("the feature service name", service.asText());
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    int rows = -1;
    for (Iterator<Map.Entry<String, JsonNode>> it = entities.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      checkName("an entity key name", e.getKey());
      if (!e.getValue().isArray()) {
        throw new BadRequestException("Cannot serve the request: entities." + e.getKey() + " must be a list of values.");
      }
      if (rows >= 0 && e.getValue().size() != rows) {
        throw new BadRequestException("Cannot serve the request: entity columns have different lengths (" + rows + " and "
            + e.getValue().size() + " for " + e.getKey() + ").");
      }
      rows = e.getValue().size();
      List<Object> values = new ArrayList<>(rows);
      for (JsonNode v : e.getValue()) {
        if (v.isContainerNode()) {
          throw new BadRequestException("Cannot serve the request: entities." + e.getKey() + "[" + values.size()
              + "] must be a string, number or boolean, not " + (v.isArray() ? "a list." : "an object."));
        }
        checkValue("entities." + e.getKey() + "[" + values.size() + "]", v);
        values.add(TypedValues.untyped(v));
      }
      columns.put(e.getKey(), values);
    }
    JsonNode asOf = body.get("as_of");
    Long asOfMicros = asOf == null || asOf.isNull() ? null : instant(asOf);
    return new FeatureRequest(byService ? service.asText() : null, byService ? null : features, columns, rows, asOfMicros);
  }

  /** An ISO-8601 instant within Strata's time domain. */
  private static long instant(JsonNode at) {
    if (at.isTextual() && at.asText().length() <= MAX_NAME_CHARS) {
      try {
        long micros = Durations.parseInstant(at.asText());
        if (TimeDomain.contains(micros)) {
          return micros;
        }
      } catch (IllegalArgumentException | java.time.DateTimeException e) {
        // answered below
      }
    }
    throw new BadRequestException("Cannot serve the request: \"as_of\" must be an ISO-8601 instant such as 2001-04-01T00:00:00Z.");
  }

  /** The names of a {@code "features"} list. */
  static List<String> featureRefs(JsonNode features) {
    List<String> refs = new ArrayList<>();
    for (JsonNode f : features) {
      if (!f.isTextual()) {
        throw new BadRequestException("Cannot serve the request: \"features\" must be a list of strings.");
      }
      checkName("a feature name", f.asText());
      refs.add(f.asText());
    }
    return refs;
  }

  /** A logging request's model and entity key names (the model required, both within the name limit). */
  static void checkLogBody(JsonNode body) {
    if (!body.isObject() || !body.path("model").isTextual() || body.path("model").asText().isBlank()) {
      throw new BadRequestException("Cannot log predictions: expected a JSON object with \"model\" (a name) and \"request_ids\".");
    }
    if (body.path("model").asText().length() > MAX_NAME_CHARS) {
      throw new BadRequestException("Cannot log predictions: the model name is " + body.path("model").asText().length()
          + " characters long; the limit is " + MAX_NAME_CHARS + ".");
    }
    for (Iterator<String> names = body.path("entities").fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (key.length() > MAX_NAME_CHARS) {
        throw new BadRequestException("Cannot log predictions: an entity key name is " + key.length()
            + " characters long; the limit is " + MAX_NAME_CHARS + ".");
      }
    }
  }

  /** A non-empty list of request ids. */
  static List<String> requestIds(JsonNode body, String name) {
    List<Object> values = scalars(body, name, -1, true);
    List<String> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      if (!(v instanceof String str) || !REQUEST_ID.matcher(str).matches()) {
        throw new BadRequestException("Cannot log predictions: " + name + "[" + i
            + "] must be a request id (letters, digits, '._:-').");
      }
      out.add(str);
    }
    if (out.isEmpty()) {
      throw new BadRequestException("Cannot log predictions: \"" + name + "\" is empty.");
    }
    return out;
  }

  /** A list of scalars of the given length (-1: any); nulls for a missing optional column. */
  static List<Object> scalars(JsonNode body, String name, int length, boolean required) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      if (required) {
        throw new BadRequestException("Cannot log predictions: \"" + name + "\" is missing.");
      }
      List<Object> nulls = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        nulls.add(null);
      }
      return nulls;
    }
    if (!node.isArray()) {
      throw new BadRequestException("Cannot log predictions: \"" + name + "\" must be a list.");
    }
    if (length >= 0 && node.size() != length) {
      throw new BadRequestException("Cannot log predictions: \"" + name + "\" has " + node.size() + " values, request_ids has "
          + length + ".");
    }
    List<Object> out = new ArrayList<>(node.size());
    for (JsonNode v : node) {
      if (v.isContainerNode()) {
        throw new BadRequestException("Cannot log predictions: " + name + "[" + out.size() + "] must be a string, number or boolean.");
      }
      if (v.isTextual() && v.asText().getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES
          || (v.isBigInteger() || v.isBigDecimal()) && v.asText().length() > MAX_VALUE_BYTES) {
        throw new BadRequestException("Cannot log predictions: " + name + "[" + out.size() + "] is longer than "
            + MAX_VALUE_BYTES + " bytes.");
      }
      out.add(TypedValues.untyped(v));
    }
    return out;
  }

  /** A name within the limit (the message does not echo it). */
  private static void checkName(String what, String name) {
    if (name.length() > MAX_NAME_CHARS) {
      throw new BadRequestException("Cannot serve the request: " + what + " is " + name.length() + " characters long; the limit is "
          + MAX_NAME_CHARS + ".");
    }
  }

  /** A scalar within the value limit (the message does not echo it). */
  private static void checkValue(String where, JsonNode v) {
    if (v.isTextual() && v.asText().length() > MAX_VALUE_BYTES / 3
        && v.asText().getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
      throw new BadRequestException("Cannot serve the request: " + where + " is longer than " + MAX_VALUE_BYTES + " bytes.");
    }
    if ((v.isBigInteger() || v.isBigDecimal()) && v.asText().length() > MAX_VALUE_BYTES) {
      throw new BadRequestException("Cannot serve the request: " + where + " is longer than " + MAX_VALUE_BYTES + " bytes.");
    }
  }
}
