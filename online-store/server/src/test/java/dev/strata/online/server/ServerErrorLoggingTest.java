package dev.strata.online.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.store.InMemoryKvStore;
import dev.strata.online.store.KvStore;
import dev.strata.online.store.RedisKvStore;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 16 item 6: every 5xx of the server is logged through SLF4J with its cause. The test
 * binding (slf4j-simple) writes to System.err, resolved at each call, so the test reads what the
 * server logged while it answered.
 */
class ServerErrorLoggingTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();
  static final String REQUEST = "{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"],"
      + "\"origin\":[\"ORD\"],\"destination\":[\"LAX\"]}}";

  /** A store whose reads fail with a plain IllegalArgumentException: a bug of the store, not the caller's mistake. */
  static final class FailingStore implements KvStore {
    final InMemoryKvStore fields = new InMemoryKvStore();

    @Override
    public Fields fields(List<byte[]> names) {
      return fields.fields(names);
    }

    @Override
    public void multiGet(List<Get> requests, Replies replies) {
      throw new IllegalArgumentException("injected: the store cannot handle " + requests.size() + " reads");
    }

    @Override
    public List<List<byte[]>> fieldNames(List<byte[]> keys) {
      return fields.fieldNames(keys);
    }

    @Override
    public void multiPut(List<Put> puts) {
      fields.multiPut(puts);
    }
  }

  @Test
  void aPlainIllegalArgumentExceptionIsA500LoggedWithItsCause() throws Exception {
    OnlineReader reader = OnlineReader.builder(FlightsSample.plan(), new FailingStore()).build();
    try (FeatureServer server = FeatureServer.builder(reader).build().start(0)) {
      Answer a = postCapturingLog(server.port());
      assertThat(a.status).as(a.body).isEqualTo(500);
      assertThat(JSON.readTree(a.body).path("error").asText())
          .isEqualTo("Cannot serve the request: internal error (IllegalArgumentException).");
      assertThat(a.log).contains("ERROR dev.strata.online.server.FeatureServer - Cannot serve POST /get-online-features: internal error")
          .contains("java.lang.IllegalArgumentException: injected: the store cannot handle 3 reads")
          .contains("at dev.strata.online.server.ServerErrorLoggingTest$FailingStore.multiGet");
    }
  }

  @Test
  void redisUnreachableIsA503LoggedWithTheRedisCause() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    try (UnifiedJedis down = RedisConnections.open(OnlineStoreConfig.builder().node("127.0.0.1", port).build());
        FeatureServer server = FeatureServer.builder(OnlineReader.builder(FlightsSample.plan(), RedisKvStore.of(down)).build())
            .build().start(0)) {
      Answer a = postCapturingLog(server.port());
      assertThat(a.status).as(a.body).isEqualTo(503);
      assertThat(JSON.readTree(a.body).path("error").asText()).isEqualTo("Cannot serve the request: the online store is unavailable.");
      assertThat(a.log).contains("WARN dev.strata.online.server.FeatureServer - Cannot serve POST /get-online-features:"
              + " the online store is unavailable")
          .contains("dev.strata.online.OnlineStoreException: Cannot read online features: Redis failed")
          .contains("Caused by: redis.clients.jedis.exceptions.JedisConnectionException: Failed to connect to 127.0.0.1:" + port);
      assertThat(server.metrics().get("strata_redis_errors").counter().count()).isEqualTo(1.0);
    }
  }

  @Test
  void aBadRequestIsA400AndNotLogged() throws Exception {
    OnlineReader reader = OnlineReader.builder(FlightsSample.plan(), new InMemoryKvStore()).build();
    try (FeatureServer server = FeatureServer.builder(reader).build().start(0)) {
      Answer a = postCapturingLog(server.port(), "{\"feature_service\":\"delay_model_v1\",\"entities\":{\"airport\":[\"ORD\"]}}");
      assertThat(a.status).as(a.body).isEqualTo(400);
      assertThat(JSON.readTree(a.body).path("error").asText()).startsWith("Cannot fetch features of service 'delay_model_v1':")
          .contains("has no value for key");
      assertThat(a.log).doesNotContain("dev.strata.online.server.FeatureServer");
    }
  }

  record Answer(int status, String body, String log) {}

  static Answer postCapturingLog(int port) throws Exception {
    return postCapturingLog(port, REQUEST);
  }

  /** Posts {@code body} and returns the answer with what was written to System.err meanwhile (the server logs before it answers). */
  static Answer postCapturingLog(int port, String body) throws Exception {
    PrintStream err = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    HttpResponse<String> r;
    try {
      r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get-online-features"))
          .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    } finally {
      System.setErr(err);
    }
    String log = captured.toString(StandardCharsets.UTF_8);
    err.print(log);
    return new Answer(r.statusCode(), r.body(), log);
  }
}
