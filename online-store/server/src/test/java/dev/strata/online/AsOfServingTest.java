package dev.strata.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.time.Durations;
import dev.strata.online.client.FeatureClient;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.server.FeatureServer;
import dev.strata.online.server.InProcessFeatureClient;
import dev.strata.online.store.InMemoryKvStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 19 item 9: the feature server answers as of an instant given in the request ({@code
 * "as_of"}), as {@code strata get --at} does, so historical data (the demo's 2001 flights) can be
 * served. The values are checked against the oracle's at that instant.
 */
class AsOfServingTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @Test
  void asOfServesTheOraclesValuesAtThatInstant() throws Exception {
    long t = Durations.parseInstant("2001-03-15T12:00:00Z");
    Instant at = Instant.EPOCH.plus(t, ChronoUnit.MICROS);
    InMemoryKvStore store = new InMemoryKvStore();
    FlightsFixture.stream(FlightsFixture.tilers(), KvTileWriter.builder(FlightsFixture.PLAN, store).build(), Long.MIN_VALUE, t);
    // The reader's clock is the system's: as of now (years later) every stored key is past its TTL.
    OnlineReader reader = OnlineReader.builder(FlightsFixture.PLAN, store).build();
    List<Map<String, Object>> rows = FlightsFixture.rows(t, 30, 16);
    try (FeatureServer server = FeatureServer.builder(reader).build().start(0);
        FeatureClient http = FeatureClient.http(URI.create("http://127.0.0.1:" + server.port()), null)) {
      OnlineFeatures got = http.getOnlineFeatures(FlightsFixture.SERVICE, rows, at);
      int checked = FlightsFixture.assertMatchesOracle(got, rows, t, FlightsFixture.before(t));
      assertThat(checked).isEqualTo(rows.size() * got.featureNames().size());
      assertThat(present(got)).as("values present as of %s", at).isGreaterThan(rows.size());
      FlightsFixture.assertSameFeatures(got,
          InProcessFeatureClient.of(reader).getOnlineFeatures(FlightsFixture.SERVICE, rows, at));

      OnlineFeatures now = http.getOnlineFeatures(FlightsFixture.SERVICE, rows);
      assertThat(present(now)).as("values present as of now").isZero();

      // Before a key's latest stored event the store cannot answer: 400, naming the earliest instant it can.
      String early = body("2001-03-01T00:00:00Z");
      HttpResponse<String> r = post(server.port(), early);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
      assertThat(JSON.readTree(r.body()).path("error").asText()).contains("as of 2001-03-01T00:00:00Z")
          .contains("it answers as of");
      assertThatThrownBy(() -> http.getOnlineFeatures(FlightsFixture.SERVICE, rows, Instant.parse("2001-03-01T00:00:00Z")))
          .isInstanceOf(BadRequestException.class).hasMessageContaining("it answers as of");

      for (String bad : new String[] {"\"yesterday\"", "12", "\"10000-01-01T00:00:00Z\"", "{}"}) {
        HttpResponse<String> b = post(server.port(), "{\"feature_service\":\"delay_model_v1\",\"as_of\":" + bad
            + ",\"entities\":{\"airport\":[\"ORD\"],\"origin\":[\"ORD\"],\"destination\":[\"LAX\"]}}");
        assertThat(b.statusCode()).as(bad + ": " + b.body()).isEqualTo(400);
        assertThat(JSON.readTree(b.body()).path("error").asText())
            .isEqualTo("Cannot serve the request: \"as_of\" must be an ISO-8601 instant such as 2001-04-01T00:00:00Z.");
      }
    }
  }

  private static int present(OnlineFeatures f) {
    int n = 0;
    int groupFeatures = FlightsFixture.PLAN.service(FlightsFixture.SERVICE).orElseThrow().features().size();
    for (int r = 0; r < f.size(); r++) {
      for (int c = 0; c < groupFeatures; c++) {
        n += f.status(r, c) == FeatureStatus.PRESENT ? 1 : 0;
      }
    }
    return n;
  }

  private static String body(String asOf) {
    return "{\"feature_service\":\"delay_model_v1\",\"as_of\":\"" + asOf + "\",\"entities\":{\"airport\":[\"ORD\"],"
        + "\"origin\":[\"ORD\"],\"destination\":[\"LAX\"]}}";
  }

  private static HttpResponse<String> post(int port, String body) throws Exception {
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/get-online-features"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }
}
