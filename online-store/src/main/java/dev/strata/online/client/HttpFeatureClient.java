package dev.strata.online.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.online.FeatureStatus;
import dev.strata.online.OnlineFeatures;
import dev.strata.online.OnlineStoreException;
import dev.strata.online.log.ServingLog;
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
    Set<String> keys = new LinkedHashSet<>();
    entityRows.forEach(r -> keys.addAll(r.keySet()));
    ObjectNode body = json.createObjectNode();
    body.put("feature_service", service);
    ObjectNode entities = body.putObject("entities");
    for (String k : keys) {
      ArrayNode col = entities.putArray(k);
      entityRows.forEach(r -> col.addPOJO(r.get(k)));
    }
    HttpResponse<byte[]> response;
    try {
      HttpRequest.Builder req = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
      if (token != null) {
        req.header("Authorization", "Bearer " + token);
      }
      response = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new OnlineStoreException("Cannot reach the feature server at " + endpoint + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OnlineStoreException("Cannot fetch features: interrupted", e);
    }
    JsonNode root;
    try {
      root = json.readTree(response.body());
    } catch (IOException e) {
      throw new OnlineStoreException("Cannot read the feature server's answer (HTTP " + response.statusCode() + ")", e);
    }
    int status = response.statusCode();
    if (status != 200) {
      String reason = root != null && root.hasNonNull("error") ? root.get("error").asText() : "HTTP " + status;
      if (status >= 400 && status < 500) {
        throw new IllegalArgumentException(reason);
      }
      throw new OnlineStoreException(reason, null);
    }
    OnlineFeatures result = decode(root, keys.size(), entityRows.size());
    return response.headers().firstValue("X-Request-Id").map(result::withRequestId).orElse(result);
  }

  @Override
  public void logPredictions(List<ServingLog.Prediction> predictions) {
    // One call per (model, time): the server's request carries one of each.
    Map<List<Object>, List<ServingLog.Prediction>> calls = new java.util.LinkedHashMap<>();
    for (ServingLog.Prediction p : predictions) {
      calls.computeIfAbsent(List.of(p.model(), p.timeMicros()), k -> new ArrayList<>()).add(p);
    }
    for (List<ServingLog.Prediction> call : calls.values()) {
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
      for (ServingLog.Prediction p : call) {
        ids.add(p.requestId());
        values.addPOJO(p.prediction());
        labels.addPOJO(p.label());
      }
      post("/log-predictions", body);
    }
  }

  @Override
  public void logLabels(List<ServingLog.Label> labels) {
    Map<List<Object>, List<ServingLog.Label>> calls = new java.util.LinkedHashMap<>();
    for (ServingLog.Label l : labels) {
      calls.computeIfAbsent(List.of(l.model(), l.timeMicros()), k -> new ArrayList<>()).add(l);
    }
    for (List<ServingLog.Label> call : calls.values()) {
      ObjectNode body = json.createObjectNode();
      body.put("model", call.get(0).model());
      body.put("time", Durations.formatInstant(call.get(0).timeMicros()));
      ArrayNode ids = body.putArray("request_ids");
      ArrayNode values = body.putArray("labels");
      for (ServingLog.Label l : call) {
        ids.add(l.requestId());
        values.addPOJO(l.label());
      }
      post("/log-labels", body);
    }
  }

  private void post(String path, ObjectNode body) {
    URI uri = URI.create(base + path);
    HttpResponse<byte[]> response;
    try {
      HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
          .header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(body)));
      if (token != null) {
        req.header("Authorization", "Bearer " + token);
      }
      response = http.send(req.build(), HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new OnlineStoreException("Cannot reach the feature server at " + uri + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OnlineStoreException("Cannot log: interrupted", e);
    }
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
      throw new ServingLog.LogFullException(reason);
    } else if (status >= 400 && status < 500) {
      throw new IllegalArgumentException(reason);
    }
    throw new OnlineStoreException(reason, null);
  }

  private OnlineFeatures decode(JsonNode root, int keyColumns, int rows) {
    JsonNode names = root.path("metadata").path("feature_names");
    JsonNode types = root.path("metadata").path("feature_types");
    JsonNode results = root.path("results");
    List<String> featureNames = new ArrayList<>();
    List<DataType> featureTypes = new ArrayList<>();
    int width = names.size() - keyColumns;
    List<Object[]> values = new ArrayList<>();
    List<FeatureStatus[]> statuses = new ArrayList<>();
    List<long[]> times = new ArrayList<>();
    for (int r = 0; r < rows; r++) {
      values.add(new Object[width]);
      statuses.add(new FeatureStatus[width]);
      times.add(new long[width]);
    }
    // Times repeat across a group's features: parse each distinct one once.
    Map<String, Long> parsed = new java.util.HashMap<>();
    for (int f = 0; f < width; f++) {
      featureNames.add(names.get(keyColumns + f).asText());
      featureTypes.add(typeOf(types.path(keyColumns + f).asText("string")));
      JsonNode col = results.get(keyColumns + f);
      JsonNode colValues = col.path("values");
      JsonNode colStatuses = col.path("statuses");
      JsonNode colTimes = col.path("event_timestamps");
      for (int r = 0; r < rows; r++) {
        values.get(r)[f] = value(colValues.get(r));
        String s = colStatuses.path(r).asText("NOT_FOUND");
        statuses.get(r)[f] = "OUTSIDE_MAX_AGE".equals(s) ? FeatureStatus.OUTSIDE_TTL : FeatureStatus.valueOf(s);
        String t = colTimes.path(r).asText("1970-01-01T00:00:00Z");
        long micros = parsed.computeIfAbsent(t, Durations::parseInstant);
        times.get(r)[f] = micros == 0 ? OnlineFeatures.NO_TIME : micros;
      }
    }
    return OnlineFeatures.of(featureNames, featureTypes, values, statuses, times, Durations.toMicros(java.time.Instant.now()));
  }

  private static DataType typeOf(String sqlName) {
    for (DataType.Primitive p : DataType.Primitive.values()) {
      if (p.sqlName().equals(sqlName)) {
        return p;
      }
    }
    return DataType.Primitive.STRING; // arrays and maps: values still decode as lists and maps
  }

  private Object value(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    } else if (v.isIntegralNumber()) {
      return v.asLong();
    } else if (v.isNumber()) {
      return v.asDouble();
    } else if (v.isBoolean()) {
      return v.asBoolean();
    } else if (v.isTextual()) {
      return v.asText();
    }
    return json.convertValue(v, Object.class);
  }
}
