package dev.strata.online.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.io.SerializedString;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Encodes the answer of {@code POST /get-online-features} in Feast's shape: {@code {"metadata":
 * {"feature_names": [keys…, features…], "feature_types": ["key"…, sql types…]}, "results":
 * [{"values": […], "statuses": […], "event_timestamps": […]}, …]}}, one result per column, entity
 * keys first (their values as the request gave them, PRESENT, the epoch), then every feature.
 * Statuses are Feast's names (Strata's OUTSIDE_TTL is OUTSIDE_MAX_AGE, as is a stale group's OUTSIDE_MAX_AGE); a value without an event
 * time has the epoch. Doubles round-trip exactly (shortest representation). Thread-safe.
 */
final class ResponseCodec {
  static final String EPOCH = "1970-01-01T00:00:00Z";
  // Pre-quoted strings skip the generator's per-character escaping: 10,000 of them a 100 × 50 response.
  private static final SerializedString EPOCH_JSON = new SerializedString(EPOCH);
  private static final Map<FeatureStatus, SerializedString> STATUS_JSON = new EnumMap<>(FeatureStatus.class);

  static {
    for (FeatureStatus s : FeatureStatus.values()) {
      STATUS_JSON.put(s, new SerializedString(feastStatus(s)));
    }
  }

  private ResponseCodec() {}

  /** Feast's name of a status. */
  static String feastStatus(FeatureStatus s) {
    return s == FeatureStatus.OUTSIDE_TTL ? "OUTSIDE_MAX_AGE" : s.name();
  }

  /** Streams the response: a tree of 100 × 50 values costs more than the Redis round trip. */
  static byte[] features(Map<String, List<Object>> columns, OnlineFeatures result) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(4096 + result.size() * result.featureNames().size() * 48);
    int n = result.size();
    try (JsonGenerator gen = Json.STRICT.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeObjectFieldStart("metadata");
      gen.writeArrayFieldStart("feature_names");
      for (String key : columns.keySet()) {
        gen.writeString(key);
      }
      for (String name : result.featureNames()) {
        gen.writeString(name);
      }
      gen.writeEndArray();
      gen.writeArrayFieldStart("feature_types");
      for (int i = 0; i < columns.size(); i++) {
        gen.writeString("key");
      }
      for (var type : result.featureTypes()) {
        gen.writeString(type.sqlName());
      }
      gen.writeEndArray();
      gen.writeEndObject();
      gen.writeArrayFieldStart("results");
      for (List<Object> keys : columns.values()) {
        gen.writeStartObject();
        gen.writeArrayFieldStart("values");
        for (Object v : keys) {
          TypedValues.writeUntypedJson(gen, v); // the keys as the request gave them
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("statuses");
        for (int r = 0; r < n; r++) {
          gen.writeString(STATUS_JSON.get(FeatureStatus.PRESENT));
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("event_timestamps");
        for (int r = 0; r < n; r++) {
          gen.writeString(EPOCH_JSON);
        }
        gen.writeEndArray();
        gen.writeEndObject();
      }
      Map<Long, SerializedString> times = new HashMap<>();
      for (int f = 0; f < result.featureNames().size(); f++) {
        DataType type = result.featureTypes().get(f);
        gen.writeStartObject();
        gen.writeArrayFieldStart("values");
        for (int r = 0; r < n; r++) {
          TypedValues.writeJson(gen, result.value(r, f), type);
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("statuses");
        for (int r = 0; r < n; r++) {
          gen.writeString(STATUS_JSON.get(result.status(r, f)));
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("event_timestamps");
        for (int r = 0; r < n; r++) {
          long t = result.eventTimeMicros(r, f);
          gen.writeString(t == OnlineFeatures.NO_TIME
              ? EPOCH_JSON : times.computeIfAbsent(t, micros -> new SerializedString(Durations.formatInstant(micros))));
        }
        gen.writeEndArray();
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeEndObject();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot write the response", e);
    }
    return out.toByteArray();
  }
}
