package dev.strata.online;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.online.log.JsonLinesServingLog;
import dev.strata.online.server.FeatureServer;
import dev.strata.online.store.RedisKvStore;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 15: a few hundred hostile requests (seeded, bounded in time) at a server on its own
 * redis-server: every answer is a 2xx, or a 4xx with the documented JSON error; with Redis killed,
 * the only 5xx is 503, and the server serves again when Redis returns.
 */
class HostileRequestFuzzTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final long SEED = 20261205L;
  static final String VALID = "{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"],\"origin\":[\"ORD\"],"
      + "\"destination\":[\"LAX\"]}}";
  static final String[] BODIES = {
      VALID,
      "{\"features\":[\"origin_delays.flights_1d\",\"route_delays.avg_delay_7d\"],\"entities\":{\"origin\":[\"ORD\"],"
          + "\"destination\":[\"LAX\"]}}",
      "{\"model\":\"m\",\"request_ids\":[\"r1\",\"r2\"],\"predictions\":[0.5,1],\"entities\":{\"airport\":[\"ORD\",\"SFO\"]}}",
      "{\"model\":\"m\",\"request_ids\":[\"r1\"],\"labels\":[true]}",
  };
  static final String[] PATHS = {"/get-online-features", "/log-predictions", "/log-labels", "/health", "/health/live",
      "/health/ready", "/metrics", "/", "/get-online-features/", "/%2e%2e/etc/passwd", "/health?x=1", "/nope"};
  static final String[] METHODS = {"GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS"};
  static final String[] SNIPPETS = {"}", "{", "]", "[", "\"", ",", ":", "null", "1e999999", "-0", "\\u0000", "\u00ff", "true",
      "\"entities\":{}", "\"feature_service\":1", "{\"a\":1,\"a\":2}", "[[[[[[[[[[", "NaN", "\uD800", "9".repeat(400)};

  @TempDir
  Path dir;

  @Test
  void hostileRequestsGetJsonErrorsAndOnly503WhileRedisIsDown() throws Exception {
    Assumptions.assumeTrue(RedisServers.available(), "redis-server is not installed");
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    int redisPort = RedisServers.freePort();
    Process redis = RedisServers.start(redisPort, dir);
    OnlineStoreConfig config = OnlineStoreConfig.builder().node("127.0.0.1", redisPort).prefix("fuzz").build();
    UnifiedJedis jedis = RedisConnections.open(config);
    Random random = new Random(SEED);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try (FeatureServer server = FeatureServer.builder(OnlineReader.builder(FlightsSample.plan(), RedisKvStore.of(jedis))
            .layout(new RedisLayout(config.prefix())).build())
        .servingLog(JsonLinesServingLog.builder(dir.resolve("log")).build()).build().start(0)) {
      int port = server.port();
      for (int i = 0; i < 300 && System.nanoTime() < deadline; i++) {
        String method = random.nextInt(4) == 0 ? METHODS[random.nextInt(METHODS.length)] : "POST";
        String path = random.nextInt(4) == 0 ? PATHS[random.nextInt(PATHS.length)] : PATHS[random.nextInt(3)];
        String body = mutate(BODIES[random.nextInt(BODIES.length)], random);
        HttpResponse<String> r = send(http, port, method, path, body);
        assertAnswer(method + " " + path + " " + abbreviate(body), r.statusCode(), r.body(), false);
      }
      for (byte[] request : rawRequests(random)) {
        String[] answer = raw(port, request);
        if (answer != null) {
          assertAnswer("raw " + abbreviate(new String(request, StandardCharsets.ISO_8859_1)),
              Integer.parseInt(answer[0].split(" ")[1]), answer[1], false);
        }
      }

      RedisServers.stop(redis);
      for (int i = 0; i < 40; i++) {
        String body = random.nextBoolean() ? VALID : mutate(VALID, random);
        HttpResponse<String> r = send(http, port, "POST", "/get-online-features", body);
        assertAnswer("Redis down: " + abbreviate(body), r.statusCode(), r.body(), true);
      }
      HttpResponse<String> notReady = send(http, port, "GET", "/health/ready", null);
      assertThat(notReady.statusCode()).isEqualTo(503);
      assertThat(JSON.readTree(notReady.body()).path("error").asText()).contains("online store is unavailable");
      assertThat(send(http, port, "GET", "/health/live", null).statusCode()).isEqualTo(200);

      redis = RedisServers.start(redisPort, dir);
      int status = 0;
      for (long until = System.nanoTime() + Duration.ofSeconds(10).toNanos(); status != 200 && System.nanoTime() < until; ) {
        status = send(http, port, "POST", "/get-online-features", VALID).statusCode();
        Thread.sleep(50);
      }
      assertThat(status).as("serves again once Redis is back").isEqualTo(200);
      assertThat(send(http, port, "GET", "/health/ready", null).statusCode()).isEqualTo(200);
    } finally {
      jedis.close();
      RedisServers.stop(redis);
    }
  }

  static HttpResponse<String> send(HttpClient http, int port, String method, String path, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(15))
        .method(method, body == null || method.equals("GET") ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void assertAnswer(String what, int status, String body, boolean redisDown) throws Exception {
    if (status >= 200 && status < 300) {
      return;
    }
    if (redisDown) {
      assertThat(status).as(what + " → " + body).isIn(400, 404, 405, 413, 503);
    } else {
      assertThat(status).as(what + " → " + status + " " + body).isBetween(400, 499);
    }
    JsonNode error = JSON.readTree(body).path("error");
    assertThat(error.isTextual()).as(what + " → " + body).isTrue();
    assertThat(error.asText()).as(what).startsWith("Cannot").endsWith(".").doesNotContain("\tat ");
  }

  static String mutate(String body, Random random) {
    StringBuilder b = new StringBuilder(body);
    int edits = 1 + random.nextInt(3);
    for (int e = 0; e < edits; e++) {
      int at = random.nextInt(b.length() + 1);
      switch (random.nextInt(7)) {
        case 0 -> b.setLength(at); // truncated
        case 1 -> b.insert(at, SNIPPETS[random.nextInt(SNIPPETS.length)]);
        case 2 -> b.append(SNIPPETS[random.nextInt(SNIPPETS.length)]); // trailing garbage
        case 3 -> b.insert(at, "x".repeat(random.nextInt(4000)));
        case 4 -> {
          int depth = 20 + random.nextInt(40);
          b.insert(at, "[".repeat(depth) + "]".repeat(depth));
        }
        case 5 -> b.replace(0, b.length(), b.toString().replace("ORD", "O".repeat(1 + random.nextInt(3000))));
        default -> { } // unchanged: valid requests get 2xx
      }
    }
    return b.toString();
  }

  static List<byte[]> rawRequests(Random random) {
    return List.of(
        "GET /health HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        "GET /health HTTP/2.5\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        "GET /health HTTP/1.9\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        "GET /health FOO/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        "GET /health HTTP/2.0\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        "GET /health\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        ("GET /health HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
            + "HTTP2-Settings: AAMAAABkAAQAAP__\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
        ("POST /log-labels HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1),
        "GARBAGE\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1),
        ("GET /" + "a".repeat(20_000) + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
        ("GET /health HTTP/1.1\r\nHost: x\r\nX-Big: " + "b".repeat(20_000) + "\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1),
        ("POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Length: 9999999999\r\nConnection: close\r\n\r\n{}")
            .getBytes(StandardCharsets.ISO_8859_1),
        ("POST /get-online-features HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\nConnection: close\r\n\r\n")
            .getBytes(StandardCharsets.ISO_8859_1),
        ("BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
        ("GET /health HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1),
        ("GET /he\u0000alth HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
  }

  /** Status line and body of one raw exchange, or null when the server closed without an answer. */
  static String[] raw(int port, byte[] request) throws Exception {
    try (Socket s = new Socket("127.0.0.1", port)) {
      s.setSoTimeout(10_000);
      s.getOutputStream().write(request);
      s.getOutputStream().flush();
      s.shutdownOutput(); // a declared body that never comes ends here
      String all = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
      int head = all.indexOf("\r\n\r\n");
      if (all.isEmpty() || head < 0) {
        return null;
      }
      String bodyPart = all.substring(head + 4);
      if (all.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
        int nl = bodyPart.indexOf("\r\n");
        int len = Integer.parseInt(bodyPart.substring(0, nl).trim(), 16);
        bodyPart = bodyPart.substring(nl + 2, nl + 2 + len);
      }
      return new String[] {all.substring(0, all.indexOf("\r\n")), bodyPart};
    } catch (java.net.SocketException e) {
      return null; // a reset connection is no answer at all, not a wrong one
    }
  }

  static String abbreviate(String s) {
    return s.length() > 120 ? s.substring(0, 120) + "…" : s;
  }
}
