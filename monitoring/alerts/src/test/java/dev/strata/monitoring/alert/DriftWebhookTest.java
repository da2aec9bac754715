package dev.strata.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Status;
import dev.strata.monitoring.report.DriftReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The webhook against a real local HTTP server: what it receives, when, and failures. */
class DriftWebhookTest {
  HttpServer server;
  final List<String> bodies = new ArrayList<>();
  volatile int answer = 204;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/hook", x -> {
      if (x.getRequestMethod().equals("POST") && x.getRequestHeaders().getFirst("Content-Type").equals("application/json")) {
        bodies.add(new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      }
      byte[] msg = answer == 204 ? new byte[0] : "receiver is down".getBytes(StandardCharsets.UTF_8);
      x.sendResponseHeaders(answer, answer == 204 ? -1 : msg.length);
      x.getResponseBody().write(msg);
      x.close();
    });
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  URI hook() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  @Test
  void postsTheDriftingFeaturesWithTheirMetrics() throws IOException {
    DriftReport report = AlertFixtures.report(true);
    assertThat(report.overall()).isEqualTo(Status.DRIFT);
    assertThat(DriftWebhook.postOnDrift("m", report, hook())).isTrue();
    assertThat(bodies).hasSize(1);
    JsonNode doc = new ObjectMapper().readTree(bodies.get(0));
    assertThat(doc.get("monitor").asText()).isEqualTo("m");
    assertThat(doc.get("slice").asText()).isEqualTo("cur");
    assertThat(doc.get("status").asText()).isEqualTo("drift");
    List<FeatureDrift> drifting = report.features().stream().filter(f -> f.status() == Status.DRIFT).toList();
    assertThat(doc.get("features")).hasSize(drifting.size());
    FeatureDrift want = drifting.get(0);
    JsonNode got = doc.get("features").get(0);
    assertThat(got.get("feature").asText()).isEqualTo(want.feature());
    for (String metric : List.of("psi", "ks", "wasserstein_normed", "js_distance")) {
      assertThat(got.get("metrics").get(metric).asDouble()).as(metric).isEqualTo(want.metric(metric));
    }
  }

  @Test
  void nothingIsPostedWithoutDrift() throws IOException {
    DriftReport calm = AlertFixtures.report(false);
    assertThat(calm.overall()).isNotEqualTo(Status.DRIFT);
    assertThat(DriftWebhook.postOnDrift("m", calm, hook())).isFalse();
    assertThat(bodies).isEmpty();
  }

  @Test
  void failuresAreOneSentence() throws IOException {
    answer = 500;
    DriftReport report = AlertFixtures.report(true);
    assertThatThrownBy(() -> DriftWebhook.postOnDrift("m", report, hook()))
        .isInstanceOf(IOException.class).hasMessage("the webhook " + hook() + " answered HTTP 500 (receiver is down)");
    int closed;
    try (ServerSocket s = new ServerSocket(0)) {
      closed = s.getLocalPort();
    }
    URI nowhere = URI.create("http://127.0.0.1:" + closed + "/hook");
    assertThatThrownBy(() -> DriftWebhook.postOnDrift("m", report, nowhere))
        .isInstanceOf(IOException.class).hasMessageStartingWith("the webhook " + nowhere + " was not reached (")
        .message().doesNotContain("\n");
  }
}
