package dev.strata.online.log;

import dev.strata.online.client.Label;
import dev.strata.online.client.LogFullException;
import dev.strata.online.client.LogUnavailableException;
import dev.strata.online.client.Prediction;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import dev.strata.online.EventTiler;
import dev.strata.online.KvTileWriter;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.client.FeatureClient;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.server.FeatureServer;
import dev.strata.online.server.InProcessFeatureClient;
import dev.strata.online.store.RedisKvStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * The serving log through the real server and Redis (database 10, prefix t-log): every logged
 * line is what was served, predictions and labels join by request id, files appear only complete.
 */
class ServingLogTest {
  static final String SERVICE = "delay_model_v1";
  static final ObjectMapper JSON = new ObjectMapper();
  static CompiledPlan plan;
  static UnifiedJedis redis;
  static OnlineReader reader;
  static long t;

  @TempDir
  Path dir;

  @BeforeAll
  static void materialize() {
    plan = FlightsSample.plan();
    List<Object[]> events = FlightsSample.events();
    t = events.stream().mapToLong(r -> (Long) r[0]).max().orElseThrow() + Durations.MINUTE;
    OnlineStoreConfig config = OnlineStoreConfig.builder().database(10).prefix("t-log").build();
    redis = RedisConnections.open(config);
    RedisLayout layout = new RedisLayout(config.prefix());
    List<EncodedTile> batch = new ArrayList<>();
    for (var g : plan.groups()) {
      EventTiler tiler = new EventTiler(plan, g.name());
      events.forEach(tiler::add);
      batch.addAll(tiler.all());
    }
    KvTileWriter.builder(plan, RedisKvStore.of(redis)).layout(layout).build().write(batch);
    reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(layout).clock(Clock.fixed(Durations.toInstant(t), ZoneOffset.UTC)).build();
  }

  @AfterAll
  static void cleanUp() {
    for (String key : redis.keys("t-log:*")) {
      redis.del(key);
    }
    redis.close();
  }

  static List<Map<String, Object>> rows(String... airports) {
    List<Map<String, Object>> rows = new ArrayList<>();
    for (String a : airports) {
      rows.add(Map.of("airport", a, "origin", a, "destination", "LAX"));
    }
    return rows;
  }

  static List<JsonNode> lines(Path dir, String kind) throws IOException {
    List<JsonNode> out = new ArrayList<>();
    Path folder = dir.resolve(kind);
    if (!Files.isDirectory(folder)) {
      return out;
    }
    try (Stream<Path> files = Files.walk(folder)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).sorted().toList()) {
        for (String line : Files.readAllLines(f)) {
          out.add(JSON.readTree(line));
        }
      }
    }
    return out;
  }

  @Test
  void serverLogsWhatItServedAndWhatTheModelPredicted() throws Exception {
    ServingLog log = JsonLinesServingLog.builder(dir).instance("test").build();
    OnlineFeatures served;
    // the server's "now" is the reader's: the records' times (2001) are within its log time window
    try (FeatureServer server = FeatureServer.builder(reader).servingLog(log)
            .clock(Clock.fixed(Durations.toInstant(t), ZoneOffset.UTC)).build().start(0);
        FeatureClient http = FeatureClient.http(URI.create("http://127.0.0.1:" + server.port()), null)) {
      served = http.getOnlineFeatures(SERVICE, rows("ORD", "ATL", "QQQ"));
      assertThat(served.requestId()).isNotBlank();
      http.logPredictions(List.of(
          new Prediction("delay_model", served.requestId(), t, Map.of("airport", "ORD"), 0.25, null),
          new Prediction("delay_model", served.requestId(), t, Map.of("airport", "ATL"), 0.75, true)));
      http.logLabels(List.of(new Label("delay_model", served.requestId(), t + Durations.HOUR, false)));
      assertThat(server.metrics().scrape()).contains("strata_serving_log_dropped_total");
    } // closing the server completes the files
    try (Stream<Path> all = Files.walk(dir)) {
      assertThat(all.filter(p -> p.toString().endsWith(".inprogress")).toList()).isEmpty();
    }

    List<JsonNode> features = lines(dir, "features");
    assertThat(features).hasSize(3);
    for (int r = 0; r < 3; r++) {
      JsonNode line = features.get(r);
      assertThat(line.path("kind").asText()).isEqualTo("features");
      assertThat(line.path("service").asText()).isEqualTo(SERVICE);
      assertThat(line.path("request_id").asText()).isEqualTo(served.requestId());
      assertThat(line.path("served_at").asLong()).isPositive();
      assertThat(line.path("entities").path("airport").asText()).isEqualTo(List.of("ORD", "ATL", "QQQ").get(r));
      for (int f = 0; f < served.featureNames().size(); f++) {
        String name = served.featureNames().get(f);
        Object value = served.value(r, f);
        JsonNode logged = line.path("features").path(name);
        assertThat(logged.isMissingNode()).as(name).isFalse();
        if (value == null) {
          assertThat(logged.isNull()).as(name).isTrue();
        } else if (value instanceof Double d) {
          assertThat(logged.asDouble()).as(name).isEqualTo(d);
        } else if (value instanceof Long l) {
          assertThat(logged.asLong()).as(name).isEqualTo(l);
        } else {
          assertThat(logged.asText()).as(name).isEqualTo(value.toString());
        }
        assertThat(line.path("statuses").path(name).asText()).isEqualTo(
            served.status(r, f) == dev.strata.online.client.FeatureStatus.OUTSIDE_TTL ? "OUTSIDE_MAX_AGE" : served.status(r, f).name());
      }
    }
    assertThat(features.get(2).path("statuses").path(served.featureNames().get(0)).asText()).isEqualTo("NOT_FOUND");

    List<JsonNode> predictions = lines(dir, "predictions");
    assertThat(predictions).hasSize(3);
    assertThat(predictions).extracting(n -> n.path("kind").asText()).containsExactlyInAnyOrder("prediction", "prediction", "label");
    JsonNode atl = predictions.stream().filter(n -> n.path("entities").path("airport").asText().equals("ATL")).findFirst().orElseThrow();
    assertThat(atl.path("model").asText()).isEqualTo("delay_model");
    assertThat(atl.path("request_id").asText()).isEqualTo(served.requestId());
    assertThat(atl.path("prediction").asDouble()).isEqualTo(0.75);
    assertThat(atl.path("label").asBoolean()).isTrue();
    assertThat(atl.path("time").asLong()).isEqualTo(t);
    JsonNode label = predictions.stream().filter(n -> n.path("kind").asText().equals("label")).findFirst().orElseThrow();
    assertThat(label.path("label").asBoolean()).isFalse();
    assertThat(label.path("time").asLong()).isEqualTo(t + Durations.HOUR);
    // partitioned by the day of the record's own time
    String day = Durations.formatInstant(t).substring(0, 10);
    assertThat(dir.resolve("predictions").resolve("date=" + day)).isDirectory();
  }

  @Test
  void badLoggingRequestsGetAStatusAndOneSentence() throws Exception {
    HttpClient client = HttpClient.newHttpClient();
    try (FeatureServer noLog = FeatureServer.builder(reader).build().start(0);
        FeatureServer server = FeatureServer.builder(reader).servingLog(JsonLinesServingLog.builder(dir).build()).build().start(0)) {
      Object[][] cases = {
          {noLog, "{\"model\":\"m\",\"request_ids\":[\"a\"],\"predictions\":[1]}", 404, "--log-dir"},
          {server, "{\"request_ids\":[\"a\"],\"predictions\":[1]}", 400, "\"model\""},
          {server, "{\"model\":\"m\",\"predictions\":[1]}", 400, "\"request_ids\" is missing"},
          {server, "{\"model\":\"m\",\"request_ids\":[\"a\",\"b\"],\"predictions\":[1]}", 400, "has 1 values"},
          {server, "{\"model\":\"m\",\"request_ids\":[\"a b\"],\"predictions\":[1]}", 400, "request id"},
          {server, "{\"model\":\"m\",\"request_ids\":[\"a\"],\"predictions\":[[1]]}", 400, "string, number or boolean"},
          {server, "{\"model\":\"m\",\"request_ids\":[\"a\"],\"predictions\":[1],\"time\":\"yesterday\"}", 400, "ISO-8601"},
          {server, "{\"model\":\"m\",\"request_ids\":[\"a\"],\"predictions\":[1],\"entities\":{\"airport\":[]}}", 400, "has 0 values"},
          {server, "{\"model\":", 400, "malformed JSON"},
      };
      for (Object[] c : cases) {
        FeatureServer s = (FeatureServer) c[0];
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/log-predictions"))
            .POST(HttpRequest.BodyPublishers.ofString((String) c[1])).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(c[1] + " → " + r.body()).isEqualTo(c[2]);
        assertThat(JSON.readTree(r.body()).path("error").asText()).as((String) c[1]).contains((String) c[3])
            .startsWith("Cannot").endsWith(".");
      }
      HttpResponse<String> ok = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/log-labels"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"request_ids\":[\"a\"],\"labels\":[1]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(ok.statusCode()).isEqualTo(202);
      assertThat(ok.body()).isEqualTo("{\"logged\":1}");
    }
    assertThat(lines(dir, "predictions")).hasSize(1); // only the accepted label
  }

  /** Issue 15 item 1: a record the log could not write is a 503 (LogUnavailableException in the client), never a 202. */
  @Test
  void aFailedWriteIsA503NotA202() throws Exception {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("predictions"), "not a directory"); // every partition folder fails to be created
    try (FeatureServer server = FeatureServer.builder(reader).servingLog(JsonLinesServingLog.builder(dir).build()).build().start(0);
        FeatureClient http = FeatureClient.http(URI.create("http://127.0.0.1:" + server.port()), null)) {
      assertThatThrownBy(() -> http.logLabels(List.of(new Label("m", "r1", Durations.toMicros(java.time.Instant.now()), 1))))
          .isInstanceOf(LogUnavailableException.class).isNotInstanceOf(LogFullException.class)
          .hasMessageStartingWith("Cannot log");
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.port() + "/log-labels"))
          .POST(HttpRequest.BodyPublishers.ofString("{\"model\":\"m\",\"request_ids\":[\"a\"],\"labels\":[1]}")).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(r.body()).path("error").asText()).startsWith("Cannot log").endsWith(".");
    }
  }

  @Test
  void samplingKeepsWholeRequestsAtTheConfiguredRate() {
    try (JsonLinesServingLog log = JsonLinesServingLog.builder(dir).sampleRate(0.25).build()) {
      int kept = 0;
      for (int i = 0; i < 20_000; i++) {
        String id = java.util.UUID.randomUUID().toString();
        boolean s = log.sampled(id);
        assertThat(log.sampled(id)).isEqualTo(s); // a stable decision per request
        kept += s ? 1 : 0;
      }
      assertThat(kept / 20_000.0).isBetween(0.23, 0.27);
    }
    assertThatThrownBy(() -> JsonLinesServingLog.builder(dir).sampleRate(1.5))
        .hasMessage("Cannot sample 1.5 of requests: the rate must be between 0 and 1");
  }

  @Test
  void inProcessClientLogsAndFilesCompleteOnTheRollInterval() throws Exception {
    JsonLinesServingLog log = JsonLinesServingLog.builder(dir).rollInterval(Duration.ofMillis(200)).build();
    try (FeatureClient client = InProcessFeatureClient.of(reader, log)) {
      OnlineFeatures served = client.getOnlineFeatures(SERVICE, rows("DFW"));
      client.logPrediction("delay_model", served.requestId(), Map.of("airport", "DFW"), 0.5);
      // Without closing the log, both files become complete (renamed to .jsonl) within a few intervals.
      long deadline = System.nanoTime() + 10_000_000_000L;
      while ((lines(dir, "features").isEmpty() || lines(dir, "predictions").isEmpty()) && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertThat(lines(dir, "features")).singleElement()
          .satisfies(n -> assertThat(n.path("request_id").asText()).isEqualTo(served.requestId()));
      assertThat(lines(dir, "predictions")).singleElement()
          .satisfies(n -> assertThat(n.path("prediction").asDouble()).isEqualTo(0.5));
    } finally {
      log.close();
    }
    assertThat(log.written()).isEqualTo(2);
    assertThat(log.dropped()).isZero();
    assertThatThrownBy(() -> InProcessFeatureClient.of(reader).logPrediction("m", "r", Map.of(), 1))
        .isInstanceOf(IllegalStateException.class).hasMessageContaining("no serving log");
  }
}
