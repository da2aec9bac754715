package dev.strata.online.client;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.error.StoreUnavailableException;
import dev.strata.dsl.error.UnknownNameException;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Calls {@code POST /get-online-features} of a feature server (Feast's shapes). Thread-safe. */
final class HttpFeatureClient implements FeatureClient {
  private final URI endpoint;
  private final URI base;
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json = com.fasterxml.jackson.databind.json.JsonMapper.builder()
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_LONG_FOR_INTS)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .build();

  HttpFeatureClient(URI baseUrl, String token) {
    String base = baseUrl.toString();
    this.base = URI.create(base.endsWith("/") ? base.substring(0, base.length() - 1) : base);
    this.endpoint = URI.create(this.base + "/get-online-features");
    this.token = token;
    this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(2)).build();
  }

  @Override
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows) {
    return fetch(service, entityRows, null);
  }

  @Override
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows, java.time.Instant asOf) {
    return fetch(service, entityRows, java.util.Objects.requireNonNull(asOf, "asOf"));
  }

  private OnlineFeatures fetch(String service, List<Map<String, Object>> entityRows, java.time.Instant asOf) {
    Set<String> keys = new LinkedHashSet<>();
    entityRows.forEach(r -> keys.addAll(r.keySet()));
    ObjectNode body = json.createObjectNode();
    body.put("feature_service", service);
    if (asOf != null) {
      body.put("as_of", Durations.formatInstant(Durations.toMicros(asOf)));
    }
    ObjectNode entities = body.putObject("entities");
    for (String k : keys) {
      ArrayNode col = entities.putArray(k);
      entityRows.forEach(r -> col.addPOJO(r.get(k)));
    }
    HttpResponse<byte[]> response = send(endpoint, body, "fetch features");
    int status = response.statusCode();
    OnlineFeatures result;
    try {
      if (status != 200) {
        JsonNode root = json.readTree(response.body());
        String reason = root != null && root.hasNonNull("error") ? root.get("error").asText() : "HTTP " + status;
        if (status == 404) {
          throw new UnknownNameException(reason);
        } else if (status >= 400 && status < 500) {
          throw new BadRequestException(reason);
        }
        throw new StoreUnavailableException(reason);
      }
      result = decode(response.body(), keys.size(), entityRows.size());
    } catch (IOException e) {
      throw new StoreUnavailableException("Cannot read the feature server's answer (HTTP " + status + ")", e);
    }
    return response.headers().firstValue("X-Request-Id").map(result::withRequestId).orElse(result);
  }

  @Override
  public void logPredictions(List<Prediction> predictions) {
    // One call per (model, time): the server's request carries one of each.
    Map<List<Object>, List<Prediction>> calls = new java.util.LinkedHashMap<>();
    for (Prediction p : predictions) {
      calls.computeIfAbsent(List.of(p.model(), p.timeMicros()), k -> new ArrayList<>()).add(p);
    }
    for (List<Prediction> call : calls.values()) {
      ObjectNode body = json.createObjectNode();
      body.put("model", call.get(0).model());
      body.put("time", Durations.formatInstant(call.get(0).timeMicros()));
      ArrayNode ids = body.putArray("request_ids");
      ArrayNode values = body.putArray("predictions");
      ArrayNode labels = body.putArray("labels");
      Set<String> keys = new LinkedHashSet<>();
      call.forEach(p -> keys.addAll(p.entities().keySet()));
      ObjectNode entities = body.putObject("entities");
      for (String k : keys) {
        ArrayNode col = entities.putArray(k);
        call.forEach(p -> col.addPOJO(p.entities().get(k)));
      }
      for (Prediction p : call) {
        ids.add(p.requestId());
        values.addPOJO(p.prediction());
        labels.addPOJO(p.label());
      }
      post("/log-predictions", body);
    }
  }

  @Override
  public void logLabels(List<Label> labels) {
    Map<List<Object>, List<Label>> calls = new java.util.LinkedHashMap<>();
    for (Label l : labels) {
      calls.computeIfAbsent(List.of(l.model(), l.timeMicros()), k -> new ArrayList<>()).add(l);
    }
    for (List<Label> call : calls.values()) {
      ObjectNode body = json.createObjectNode();
      body.put("model", call.get(0).model());
      body.put("time", Durations.formatInstant(call.get(0).timeMicros()));
      ArrayNode ids = body.putArray("request_ids");
      ArrayNode values = body.putArray("labels");
      for (Label l : call) {
        ids.add(l.requestId());
        values.addPOJO(l.label());
      }
      post("/log-labels", body);
    }
  }

  /** POSTs a JSON body (with the bearer token, if any); a server that cannot be reached is unavailable. */
  private HttpResponse<byte[]> send(URI uri, ObjectNode body, String what) {
    try {
      HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
      if (token != null) {
        req.header("Authorization", "Bearer " + token);
      }
      return http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new StoreUnavailableException("Cannot reach the feature server at " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StoreUnavailableException("Cannot " + what + ": interrupted", e);
    }
  }

  private void post(String path, ObjectNode body) {
    HttpResponse<byte[]> response = send(URI.create(base + path), body, "log");
    int status = response.statusCode();
    if (status == 202) {
      return;
    }
    String reason;
    try {
      JsonNode root = json.readTree(response.body());
      reason = root != null && root.hasNonNull("error") ? root.get("error").asText() : "HTTP " + status;
    } catch (IOException e) {
      reason = "HTTP " + status;
    }
    if (status == 404) {
      throw new IllegalStateException(reason);
    } else if (status == 503) {
      // The records were not acknowledged: retrying them is safe (the log is at-least-once).
      throw reason.contains("queue is full") ? new LogFullException(reason)
          : new LogUnavailableException(reason);
    } else if (status >= 400 && status < 500) {
      throw new BadRequestException(reason);
    }
    throw new StoreUnavailableException(reason);
  }

  /**
   * Decodes a 200 answer token by token: for 100 × 50 a tree of 15,000 nodes cost about as much
   * as the server's whole work. Fields may come in any order; unknown ones are skipped.
   */
  private OnlineFeatures decode(byte[] body, int keyColumns, int rows) throws IOException {
    List<String> names = new ArrayList<>();
    List<String> types = new ArrayList<>();
    List<Column> columns = new ArrayList<>();
    RowTimes rowTimes = new RowTimes(rows);
    try (JsonParser p = json.getFactory().createParser(body)) {
      expect(p, p.nextToken(), JsonToken.START_OBJECT);
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken token = p.nextToken();
        if (field.equals("metadata") && token == JsonToken.START_OBJECT) {
          while (p.nextToken() == JsonToken.FIELD_NAME) {
            String meta = p.currentName();
            JsonToken t = p.nextToken();
            if (meta.equals("feature_names") && t == JsonToken.START_ARRAY) {
              while (p.nextToken() != JsonToken.END_ARRAY) {
                names.add(p.getValueAsString());
              }
            } else if (meta.equals("feature_types") && t == JsonToken.START_ARRAY) {
              while (p.nextToken() != JsonToken.END_ARRAY) {
                types.add(p.getValueAsString());
              }
            } else {
              p.skipChildren();
            }
          }
        } else if (field.equals("results") && token == JsonToken.START_ARRAY) {
          while (p.nextToken() == JsonToken.START_OBJECT) {
            columns.add(column(p, rows, rowTimes));
          }
        } else {
          p.skipChildren();
        }
      }
    }
    int width = names.size() - keyColumns;
    if (width < 0 || columns.size() != names.size()) {
      throw new IOException("expected one result per feature name, got " + columns.size() + " for " + names.size());
    }
    List<String> featureNames = names.subList(keyColumns, names.size());
    List<DataType> featureTypes = new ArrayList<>(width);
    Object[][] values = new Object[rows][width];
    FeatureStatus[][] statuses = new FeatureStatus[rows][width];
    long[][] times = new long[rows][width];
    for (int f = 0; f < width; f++) {
      String typeName = keyColumns + f < types.size() ? types.get(keyColumns + f) : null;
      DataType type = typeName == null ? null : DataType.parseOrNull(typeName);
      if (type == null) {
        throw new IOException("feature '" + featureNames.get(f) + "' has no known type (" + typeName + ")");
      }
      featureTypes.add(type);
      Column col = columns.get(keyColumns + f);
      for (int r = 0; r < rows; r++) {
        try {
          values[r][f] = TypedValues.fromObject(col.values[r], type); // "NaN" is a double, numbers of lists typed
        } catch (ValueFormatException e) {
          throw new IOException("feature '" + featureNames.get(f) + "': " + e.getMessage());
        }
        FeatureStatus s = col.statuses[r] == null ? FeatureStatus.NOT_FOUND : col.statuses[r];
        // Feast's OUTSIDE_MAX_AGE is both: without a value past the TTL, with one from a stale group.
        statuses[r][f] = s == FeatureStatus.OUTSIDE_MAX_AGE && values[r][f] == null ? FeatureStatus.OUTSIDE_TTL : s;
        times[r][f] = col.times[r];
      }
    }
    return OnlineFeatures.of(featureNames, featureTypes, java.util.Arrays.asList(values), java.util.Arrays.asList(statuses),
        java.util.Arrays.asList(times), Durations.toMicros(java.time.Instant.now()));
  }

  /** One result object: values, statuses and event times of every row, from its opening brace. */
  private Column column(JsonParser p, int rows, RowTimes times) throws IOException {
    Column col = new Column(rows);
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      JsonToken token = p.nextToken();
      if (token != JsonToken.START_ARRAY) {
        p.skipChildren();
        continue;
      }
      int r = 0;
      for (JsonToken t = p.nextToken(); t != JsonToken.END_ARRAY; t = p.nextToken(), r++) {
        if (r >= rows) {
          throw new IOException("more than " + rows + " entries in '" + field + "'");
        }
        switch (field) {
          case "values" -> col.values[r] = value(p, t);
          case "statuses" -> col.statuses[r] = status(p, t);
          case "event_timestamps" -> {
            // A group's features repeat their row's time: compare characters before building a string.
            if (t == JsonToken.VALUE_STRING && textEquals(p, times.text[r])) {
              col.times[r] = times.micros[r];
            } else {
              String text = p.getValueAsString("1970-01-01T00:00:00Z");
              long micros = Durations.parseInstant(text);
              col.times[r] = micros == 0 ? OnlineFeatures.NO_TIME : micros;
              times.text[r] = text;
              times.micros[r] = col.times[r];
            }
          }
          default -> p.skipChildren();
        }
      }
    }
    return col;
  }

  private static final class Column {
    final Object[] values;
    final FeatureStatus[] statuses;
    final long[] times;

    Column(int rows) {
      values = new Object[rows];
      statuses = new FeatureStatus[rows];
      times = new long[rows];
      java.util.Arrays.fill(times, OnlineFeatures.NO_TIME);
    }
  }

  /** The last event time read per row, as text and as micros. */
  private static final class RowTimes {
    final String[] text;
    final long[] micros;

    RowTimes(int rows) {
      text = new String[rows];
      micros = new long[rows];
    }
  }

  private static final FeatureStatus[] STATUSES = FeatureStatus.values();

  private static FeatureStatus status(JsonParser p, JsonToken t) throws IOException {
    if (t != JsonToken.VALUE_STRING) {
      return FeatureStatus.NOT_FOUND;
    }
    for (FeatureStatus s : STATUSES) {
      if (textEquals(p, s.name())) {
        return s; // OUTSIDE_MAX_AGE without a value becomes OUTSIDE_TTL once the value is known
      }
    }
    throw new IOException("unknown status '" + p.getText() + "'");
  }

  /** Whether the current string token is {@code s}, without building a string. */
  private static boolean textEquals(JsonParser p, String s) throws IOException {
    if (s == null) {
      return false;
    }
    int length = p.getTextLength();
    if (length != s.length()) {
      return false;
    }
    char[] chars = p.getTextCharacters();
    int offset = p.getTextOffset();
    for (int i = 0; i < length; i++) {
      if (chars[offset + i] != s.charAt(i)) {
        return false;
      }
    }
    return true;
  }

  private static void expect(JsonParser p, JsonToken actual, JsonToken expected) throws IOException {
    if (actual != expected) {
      throw new IOException("expected " + expected + " at " + p.currentLocation() + ", got " + actual);
    }
  }

  private Object value(JsonParser p, JsonToken t) throws IOException {
    return switch (t) {
      case VALUE_NULL -> null;
      case VALUE_NUMBER_INT -> p.getNumberType() == JsonParser.NumberType.BIG_INTEGER ? p.getBigIntegerValue().longValue() : p.getLongValue();
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_STRING -> p.getText();
      default -> json.readValue(p, Object.class); // arrays and maps
    };
  }
}
