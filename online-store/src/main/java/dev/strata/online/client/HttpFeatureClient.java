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
  private final String token;
  private final HttpClient http;
  private final ObjectMapper json = new ObjectMapper().enable(com.fasterxml.jackson.databind.DeserializationFeature.USE_LONG_FOR_INTS);

  HttpFeatureClient(URI baseUrl, String token) {
    String base = baseUrl.toString();
    this.endpoint = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/get-online-features");
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
    return decode(root, keys.size(), entityRows.size());
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
      for (int r = 0; r < rows; r++) {
        values.get(r)[f] = value(col.path("values").get(r));
        String s = col.path("statuses").path(r).asText("NOT_FOUND");
        statuses.get(r)[f] = "OUTSIDE_MAX_AGE".equals(s) ? FeatureStatus.OUTSIDE_TTL : FeatureStatus.valueOf(s);
        String t = col.path("event_timestamps").path(r).asText("1970-01-01T00:00:00Z");
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
