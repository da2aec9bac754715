package dev.strata.online.server;

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
import dev.strata.online.OnlineStoreException;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.client.FeatureClient;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.RedisKvStore;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/** The HTTP server against the real Redis (database 10): Feast shapes, errors, auth, metrics. */
class FeatureServerTest {
  static final String SERVICE = "delay_model_v1";
  static final String TOKEN = "s3cret-token";
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static CompiledPlan plan;
  static UnifiedJedis redis;
  static OnlineReader reader;
  static FeatureServer server;
  static long t;

  @BeforeAll
  static void start() {
    plan = FlightsSample.plan();
    List<Object[]> events = FlightsSample.events();
    t = events.stream().mapToLong(r -> (Long) r[0]).max().orElseThrow() + Durations.MINUTE;
    OnlineStoreConfig config = OnlineStoreConfig.builder().database(10).prefix("t-server").build();
    redis = RedisConnections.open(config);
    redis.flushDB();
    RedisLayout layout = new RedisLayout(config.prefix());
    List<EncodedTile> batch = new ArrayList<>();
    for (var g : plan.groups()) {
      EventTiler tiler = new EventTiler(plan, g.name());
      events.forEach(tiler::add);
      batch.addAll(tiler.all());
    }
    KvTileWriter.builder(plan, RedisKvStore.of(redis)).layout(layout).build().write(batch);
    reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(layout).clock(Clock.fixed(Durations.toInstant(t), ZoneOffset.UTC)).build();
    server = FeatureServer.builder(reader).maxEntities(50).bearerToken(TOKEN).build().start(0);
  }

  @AfterAll
  static void stop() {
    server.close();
    redis.flushDB();
    redis.close();
  }

  static HttpResponse<String> post(String body, String token) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/get-online-features"))
        .POST(HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String path) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void answersInFeastShapes() throws Exception {
    HttpResponse<String> r = post("{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\",\"ZZZ\"],"
        + "\"origin\":[\"ORD\",\"ZZZ\"],\"destination\":[\"LAX\",\"YYY\"]}}", TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode root = JSON.readTree(r.body());
    JsonNode names = root.path("metadata").path("feature_names");
    assertThat(names.get(0).asText()).isEqualTo("airport");
    assertThat(names.get(3).asText()).isEqualTo(plan.service(SERVICE).orElseThrow().schema().field(0).name());
    JsonNode results = root.path("results");
    assertThat(results.size()).isEqualTo(names.size());
    JsonNode first = results.get(3);
    assertThat(first.path("values").size()).isEqualTo(2);
    assertThat(first.path("statuses").get(0).asText()).isEqualTo("PRESENT");
    assertThat(first.path("statuses").get(1).asText()).isEqualTo("NOT_FOUND");
    assertThat(first.path("event_timestamps").get(0).asText()).startsWith("2001-");
    assertThat(results.get(0).path("values").get(0).asText()).isEqualTo("ORD");
  }

  @Test
  void httpClientReturnsWhatTheReaderReturns() {
    List<Map<String, Object>> rows = List.of(
        Map.of("airport", "ORD", "origin", "ORD", "destination", "LAX"),
        Map.of("airport", "ATL", "origin", "ATL", "destination", "DFW"),
        Map.of("airport", "QQQ", "origin", "QQQ", "destination", "RRR"));
    OnlineFeatures direct = InProcessFeatureClient.of(reader).getOnlineFeatures(SERVICE, rows);
    try (FeatureClient http = FeatureClient.http(URI.create("http://127.0.0.1:" + server.port()), TOKEN)) {
      OnlineFeatures remote = http.getOnlineFeatures(SERVICE, rows);
      assertThat(remote.featureNames()).isEqualTo(direct.featureNames());
      assertThat(remote.featureTypes()).isEqualTo(direct.featureTypes());
      assertThat(remote.size()).isEqualTo(rows.size());
      for (int r = 0; r < rows.size(); r++) {
        assertThat(remote.row(r)).isEqualTo(direct.row(r));
        for (int f = 0; f < direct.featureNames().size(); f++) {
          assertThat(remote.status(r, f)).isEqualTo(direct.status(r, f));
          assertThat(remote.eventTimeMicros(r, f)).isEqualTo(direct.eventTimeMicros(r, f));
        }
      }
      assertThatThrownBy(() -> http.getOnlineFeatures("nope", rows)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("nope");
    }
  }

  /** Request inputs (issue 20 item 2) travel beside the keys in "entities", one value per row, as Feast sends them. */
  @Test
  void requestInputsTravelBesideTheKeys() throws Exception {
    String keys = "\"airport\":[\"ORD\",\"ATL\"],\"origin\":[\"ORD\",\"ATL\"],\"destination\":[\"LAX\",\"DFW\"]";
    HttpResponse<String> r = post("{\"feature_service\":\"delay_model_v2\",\"entities\":{" + keys
        + ",\"distance\":[1745,null]}}", TOKEN);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    JsonNode root = JSON.readTree(r.body());
    List<String> names = new ArrayList<>();
    root.path("metadata").path("feature_names").forEach(n -> names.add(n.asText()));
    List<Map<String, Object>> rows = new ArrayList<>();
    rows.add(new java.util.HashMap<>(Map.of("airport", "ORD", "origin", "ORD", "destination", "LAX", "distance", 1745L)));
    Map<String, Object> nullDistance = new java.util.HashMap<>(Map.of("airport", "ATL", "origin", "ATL", "destination", "DFW"));
    nullDistance.put("distance", null);
    rows.add(nullDistance);
    OnlineFeatures direct = reader.getOnlineFeatures("delay_model_v2", rows);
    int col = names.indexOf("route_delay_per_100_miles");
    assertThat(col).as(names.toString()).isPositive();
    Object expected = direct.value(0, direct.featureNames().indexOf("route_delay_per_100_miles"));
    assertThat(expected).as("ORD -> LAX has flights in the sample").isNotNull();
    assertThat(root.path("results").get(col).path("values").get(0).asDouble()).isEqualTo((Double) expected);
    assertThat(root.path("results").get(col).path("values").get(1).isNull()).as("NULL distance: NULL feature").isTrue();
    try (FeatureClient http = FeatureClient.http(URI.create("http://127.0.0.1:" + server.port()), TOKEN)) {
      assertThat(http.getOnlineFeatures("delay_model_v2", rows).row(0)).isEqualTo(direct.row(0));
    }
    HttpResponse<String> missing = post("{\"feature_service\":\"delay_model_v2\",\"entities\":{" + keys + "}}", TOKEN);
    assertThat(missing.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(missing.body()).path("error").asText()).startsWith("Cannot fetch features of service 'delay_model_v2':"
        + " entity row 0 has no value for request input 'distance'; the service needs its request inputs beside the keys:"
        + " distance (bigint)");
    HttpResponse<String> mistyped = post("{\"feature_service\":\"delay_model_v2\",\"entities\":{" + keys
        + ",\"distance\":[10,\"far\"]}}", TOKEN);
    assertThat(mistyped.statusCode()).isEqualTo(400);
    assertThat(JSON.readTree(mistyped.body()).path("error").asText())
        .startsWith("Cannot fetch features of service 'delay_model_v2': request input 'distance' of entity row 1 must be a bigint");
  }

  @Test
  void badRequestsGetAStatusAndOneSentence() throws Exception {
    StringBuilder many = new StringBuilder();
    for (int i = 0; i < 51; i++) {
      many.append(i == 0 ? "" : ",").append("\"A").append(i).append('"');
    }
    Object[][] cases = {
        {"{\"feature_service\":", 400, "malformed JSON"},
        {"[1,2]", 400, "JSON object"},
        {"{\"entities\":{\"airport\":[\"ORD\"]}}", 400, "feature_service"},
        {"{\"feature_service\":\"nope\",\"entities\":{\"airport\":[\"ORD\"]}}", 404, "'nope'"},
        {"{\"features\":[\"origin_delays.nope_1d\"],\"entities\":{\"airport\":[\"ORD\"]}}", 404, "origin_delays.nope_1d"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"]}}", 400, "'origin'"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[7],\"origin\":[\"A\"],\"destination\":[\"B\"]}}", 400, "must be a string"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"A\",\"B\"],\"origin\":[\"A\"]}}", 400, "different lengths"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[" + many + "]}}", 400, "limit is 50"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":[]}", 400, "entities"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[{\"a\":1}]}}", 400, "not an object"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[null],\"origin\":[\"A\"],\"destination\":[\"B\"]}}", 400, "no value for key 'airport'"},
        {"{\"features\":[3],\"entities\":{\"airport\":[\"A\"]}}", 400, "list of strings"},
    };
    for (Object[] c : cases) {
      HttpResponse<String> r = post((String) c[0], TOKEN);
      assertThat(r.statusCode()).as(c[0] + " → " + r.body()).isEqualTo(c[1]);
      String error = JSON.readTree(r.body()).path("error").asText();
      assertThat(error).as((String) c[0]).contains((String) c[2]).startsWith("Cannot").endsWith(".")
          .doesNotContain("\n").doesNotContain("Exception");
    }
    assertThat(post("{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"]}}", null).statusCode()).isEqualTo(401);
    assertThat(post("{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"]}}", "wrong").statusCode()).isEqualTo(401);
    assertThat(get("/nope").statusCode()).isEqualTo(404);
  }

  @Test
  void healthAndMetrics() throws Exception {
    assertThat(get("/health").statusCode()).isEqualTo(200);
    post("{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"],\"origin\":[\"ORD\"],\"destination\":[\"LAX\"]}}", TOKEN);
    assertThat(get("/metrics").statusCode()).isEqualTo(401); // with a token set, metrics need it too
    String metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics"))
        .header("Authorization", "Bearer " + TOKEN).build(), HttpResponse.BodyHandlers.ofString()).body();
    assertThat(metrics).contains("strata_http_requests_seconds_bucket").contains("path=\"/get-online-features\"")
        .contains("strata_redis_errors_total");
  }

  static HttpResponse<String> send(String method, String path, String body, String auth) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    if (auth != null) {
      b.header("Authorization", auth);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** One raw HTTP/1.1 exchange: status line and body, for what java.net.http refuses to send. */
  static String[] raw(byte[] request) throws Exception {
    try (java.net.Socket s = new java.net.Socket("127.0.0.1", server.port())) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      String all = new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.ISO_8859_1);
      int head = all.indexOf("\r\n\r\n");
      return new String[] {all.substring(0, all.indexOf("\r\n")), all.substring(0, head), all.substring(head + 4)};
    }
  }

  static void assertJsonError(String what, int status, int expected, String headers, String body) throws Exception {
    assertThat(status).as(what + " → " + body).isEqualTo(expected);
    if (headers != null) {
      assertThat(headers.toLowerCase(java.util.Locale.ROOT)).as(what).contains("content-type: application/json");
    }
    assertThat(JSON.readTree(body).path("error").asText()).as(what + " → " + body).startsWith("Cannot").endsWith(".");
  }

  /** Issue 15 item 9: the token guards metrics, any case of the scheme, liveness and readiness apart. */
  @Test
  void accessAndHealthEndpoints() throws Exception {
    String body = "{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"],\"origin\":[\"ORD\"],"
        + "\"destination\":[\"LAX\"]}}";
    assertThat(send("POST", "/get-online-features", body, "bearer " + TOKEN).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/get-online-features", body, "BEARER " + TOKEN).statusCode()).isEqualTo(200);
    assertThat(send("POST", "/get-online-features", body, "Basic " + TOKEN).statusCode()).isEqualTo(401);
    assertThat(send("GET", "/metrics", null, "bearer wrong").statusCode()).isEqualTo(401);
    assertThat(send("GET", "/metrics", null, "bearer " + TOKEN).body()).contains("strata_redis_errors_total");
    assertThat(get("/health").statusCode()).isEqualTo(200);
    assertThat(get("/health/live").statusCode()).isEqualTo(200);
    HttpResponse<String> ready = get("/health/ready");
    assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
    assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("ready");
  }

  /** Issue 15 item 10: strict JSON, limits, 405 and every Jetty error as the documented JSON. */
  @Test
  void httpEdgesAnswerTheDocumentedJsonError() throws Exception {
    String ok = "{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"],\"origin\":[\"ORD\"],"
        + "\"destination\":[\"LAX\"]}}";
    String auth = "Bearer " + TOKEN;
    Object[][] cases = {
        {ok + "garbage", 400, "malformed JSON"},
        {ok + "{}", 400, "after the end"},
        {"{\"feature_service\":\"a\",\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"]}}", 400,
            "duplicate key"},
        {"{\"x\":" + "[".repeat(40) + "]".repeat(40) + ",\"feature_service\":\"delay_model_v1\"}", 400, "nested deeper"},
        {"{\"features\":[\"origin_delays.flights_1d\",\"origin_delays:flights_1d\"],\"entities\":{\"origin\":[\"ORD\"]}}",
            400, "requested twice"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"" + "K".repeat(2000) + "\"]}}", 400,
            "longer than 1024 bytes"},
        {"{\"feature_service\":\"" + "s".repeat(300) + "\",\"entities\":{\"airport\":[\"ORD\"]}}", 400, "the limit is 256"},
        {"{\"feature_service\":\"delay_model_v1\",\"entities\":{\"" + "k".repeat(300) + "\":[\"ORD\"]}}", 400,
            "the limit is 256"},
    };
    for (Object[] c : cases) {
      HttpResponse<String> r = send("POST", "/get-online-features", (String) c[0], auth);
      assertJsonError(((String) c[0]).substring(0, Math.min(80, ((String) c[0]).length())), r.statusCode(), (int) c[1],
          r.headers().firstValue("content-type").map(v -> "content-type: " + v).orElse(""), r.body());
      assertThat(r.body()).contains((String) c[2]).doesNotContain("Cannot create schema").doesNotContain("KKKKKKKK");
    }
    HttpResponse<String> wrongMethod = send("GET", "/get-online-features", null, auth);
    assertJsonError("GET /get-online-features", wrongMethod.statusCode(), 405, null, wrongMethod.body());
    assertThat(wrongMethod.headers().firstValue("Allow")).contains("POST");
    HttpResponse<String> deleteHealth = send("DELETE", "/health", null, null);
    assertThat(deleteHealth.statusCode()).isEqualTo(405);
    assertThat(deleteHealth.headers().firstValue("Allow")).contains("GET");
    HttpResponse<String> unknown = get("/nope");
    assertJsonError("/nope", unknown.statusCode(), 404, null, unknown.body());
    // larger than 8 MiB: 413
    HttpResponse<String> big = send("POST", "/get-online-features", "[" + "1,".repeat(4_300_000) + "1]", auth);
    assertJsonError("9 MB body", big.statusCode(), 413, null, big.body());
    // what Jetty answers itself
    // Jetty's parser answers an unknown version 505; it is the client's error, and no 5xx but 503 is allowed.
    // HTTP/2.0 on an HTTP/1.1 connection is Jetty's 426 (Upgrade Required), a 4xx already.
    Object[][] versions = {{"GET /health HTTP/9.9", 400}, {"GET /health HTTP/2.5", 400}, {"GET /health HTTP/1.9", 400},
        {"GET /health FOO/1.1", 400}, {"GET /health HTTP/0.9", 400}, {"GET /health", 400}, {"GET /health HTTP/2.0", 426}};
    for (Object[] v : versions) {
      String line = (String) v[0];
      String[] badVersion = raw((line + "\r\nHost: x\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
      assertJsonError(line, Integer.parseInt(badVersion[0].split(" ")[1]), (int) v[1], badVersion[1], badVersion[2]);
      assertThat(badVersion[2]).as(line).contains("HTTP version");
    }
    String[] badLine = raw("GARBAGE\r\n\r\n".getBytes());
    assertJsonError("bad request line", Integer.parseInt(badLine[0].split(" ")[1]), 400, badLine[1], badLine[2]);
    String[] longUri = raw(("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes());
    assertJsonError("long URI", Integer.parseInt(longUri[0].split(" ")[1]), 414, longUri[1], longUri[2]);
    String[] bigHeaders = raw(("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000)
        + "\r\nConnection: close\r\n\r\n").getBytes());
    assertJsonError("big headers", Integer.parseInt(bigHeaders[0].split(" ")[1]), 431, bigHeaders[1], bigHeaders[2]);
  }

  /** Any bad message Jetty would answer with a 5xx (not only 505) is a 400; its 4xx statuses stay. */
  @Test
  void jettyBadMessagesAreNeverA5xx() {
    for (int code : new int[] {500, 501, 503, 505}) {
      var mapped = FeatureServer.asClientError(new org.eclipse.jetty.http.BadMessageException(code, "why"));
      assertThat(mapped.getCode()).as("Jetty's " + code).isEqualTo(400);
      assertThat(mapped.getReason()).as("Jetty's " + code).isNotBlank();
    }
    for (int code : new int[] {400, 413, 414, 426, 431}) {
      assertThat(FeatureServer.asClientError(new org.eclipse.jetty.http.BadMessageException(code, "why")).getCode())
          .isEqualTo(code);
    }
  }

  /** Corrupted bytes in the store are the store's failure (503), never blamed on the request (400). */
  @Test
  void corruptStoredBlocksAreA503() throws Exception {
    var group = plan.group(plan.service(SERVICE).orElseThrow().groups().get(0)).orElseThrow();
    List<Object> entityKey = plan.entity(group.entity()).orElseThrow().keys().stream()
        .map(k -> (Object) (k.name().equals("destination") ? "LAX" : "DEN")).toList();
    byte[] key = new RedisLayout("t-server").keyBytes(group, entityKey);
    Map<byte[], byte[]> saved = redis.hgetAll(key);
    assertThat(saved).as("the sample has DEN").isNotEmpty();
    try {
      for (byte[] field : saved.keySet()) {
        if (field[0] != '@') {
          redis.hset(key, field, new byte[] {1, 2, 3});
        }
      }
      HttpResponse<String> r = post("{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"DEN\"],"
          + "\"origin\":[\"DEN\"],\"destination\":[\"LAX\"]}}", TOKEN);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("Cannot serve the request: the online store is unavailable.");
    } finally {
      redis.del(key);
      redis.hset(key, saved);
    }
  }

  @Test
  void redisDownIsA503Quickly() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (UnifiedJedis down = RedisConnections.open(OnlineStoreConfig.builder().node("127.0.0.1", port).build());
        FeatureServer s = FeatureServer.builder(OnlineReader.builder(plan, RedisKvStore.of(down)).build()).build().start(0)) {
      long start = System.nanoTime();
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + s.port() + "/get-online-features"))
          .POST(HttpRequest.BodyPublishers.ofString(
              "{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"],\"origin\":[\"ORD\"],\"destination\":[\"LAX\"]}}"))
          .build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(503);
      assertThat(System.nanoTime() - start).isLessThan(3_000_000_000L);
      assertThat(JSON.readTree(r.body()).path("error").asText()).isEqualTo("Cannot serve the request: the online store is unavailable.");
      assertThatThrownBy(() -> OnlineReader.builder(plan, RedisKvStore.of(down)).build().getOnlineFeatures(SERVICE,
          List.of(Map.of("airport", "ORD", "origin", "ORD", "destination", "LAX")))).isInstanceOf(OnlineStoreException.class);
    }
  }
}
