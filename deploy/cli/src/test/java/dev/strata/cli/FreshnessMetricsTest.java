package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.copyExample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.online.EventTiler;
import dev.strata.online.KvTileWriter;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStore;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.client.FeatureClient;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.RedisKvStore;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.server.FeatureServer;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 17 item 4: the feature server's /metrics exports each group's staleness and each job's
 * last success, read from a real SQLite job ledger through {@link ServeCommand#progress}. Expected
 * epoch seconds were computed independently (Python's datetime).
 */
class FreshnessMetricsTest {
  private static final String URL = "redis://127.0.0.1:6379/14?prefix=strata-freshness-test";
  private static final long MICROS = 1_000_000L;

  /** A clock the test moves. */
  static final class MovableClock extends Clock {
    volatile Instant now;

    MovableClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }
  }

  @Test
  void metricsExportStalenessAndLastSuccessFromTheLedger(@TempDir Path tmp) throws Exception {
    Path dir = copyExample(tmp.resolve("flights"));
    Files.writeString(dir.resolve("strata.yaml"), Files.readString(dir.resolve("strata.yaml"))
        .replace("redis://127.0.0.1:6379", URL));
    CompiledPlan plan = ProjectSnapshot.read(dir).plan();
    StrataConfig config = StrataConfig.load(dir);
    List<CompiledGroup> online = plan.groups().stream().filter(CompiledGroup::online).toList();
    assertThat(online).hasSizeGreaterThanOrEqualTo(3);
    CompiledGroup streamed = online.get(0);
    CompiledGroup materialized = online.get(1);
    CompiledGroup never = online.get(2);

    Instant mar1 = Instant.parse("2001-03-01T00:00:00Z");
    try (Registry registry = Projects.openRegistry(config)) {
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, streamed.name(), streamed.version())
          .covered(0, micros(mar1)).times(mar1, Instant.parse("2001-03-01T00:10:00Z")).build());
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.STREAM, streamed.name(), streamed.version())
          .covered(micros(mar1), micros(Instant.parse("2001-03-01T05:00:00Z")))
          .times(mar1, Instant.parse("2001-03-01T05:00:30Z")).build());
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, materialized.name(), materialized.version())
          .covered(0, micros(Instant.parse("2001-02-28T23:00:00Z"))).times(mar1, Instant.parse("2001-03-01T00:10:00Z")).build());
      // Neither a failed run nor another version's run makes the group fresher.
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, materialized.name(), materialized.version())
          .covered(0, micros(Instant.parse("2001-03-01T05:59:00Z"))).failed().times(mar1, Instant.parse("2001-03-01T05:59:00Z")).build());
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, materialized.name(), "an-old-version")
          .covered(0, micros(Instant.parse("2001-03-01T05:59:00Z"))).times(mar1, Instant.parse("2001-03-01T05:59:00Z")).build());
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.BACKFILL, materialized.name(), materialized.version())
          .covered(micros(Instant.parse("2001-01-01T00:00:00Z")), micros(mar1))
          .times(mar1, Instant.parse("2001-03-01T02:00:00Z")).build());
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MONITOR, "delay_model_health", "plan-hash")
          .covered(micros(mar1), micros(mar1)).detail("ok").times(mar1, Instant.parse("2001-03-01T03:00:00Z")).build());
    }

    MovableClock clock = new MovableClock(Instant.parse("2001-03-01T06:00:00Z"));
    OnlineStore store = OnlineStore.open(plan, OnlineStoreConfig.fromUrl(URL));
    try (FeatureServer server = FeatureServer.builder(store.reader().build()).ownStore(store).clock(clock)
        .freshness(plan.project(), () -> ServeCommand.progress(plan, config), Duration.ofSeconds(60)).build().start(0)) {
      String scrape = scrape(server);
      // 06:00 - 05:00 (the stream is ahead of materialize's 00:00)
      assertThat(gauge(scrape, "strata_group_staleness_seconds", "group=\"" + streamed.name() + "\",project=\"flights\""))
          .isEqualTo(3600.0);
      // 06:00 - 2001-02-28T23:00 = 7 h; the failed and the old version's runs do not count
      assertThat(gauge(scrape, "strata_group_staleness_seconds", "group=\"" + materialized.name() + "\",project=\"flights\""))
          .isEqualTo(25200.0);
      assertThat(gauge(scrape, "strata_group_staleness_seconds", "group=\"" + never.name() + "\",project=\"flights\""))
          .as("never materialized nor streamed: +Inf, so a staleness alert fires").isEqualTo(Double.POSITIVE_INFINITY);
      assertThat(gauge(scrape, "strata_job_last_success_timestamp_seconds",
          "group=\"" + materialized.name() + "\",job=\"materialize\",project=\"flights\"")).isEqualTo(983405400.0);
      assertThat(gauge(scrape, "strata_job_last_success_timestamp_seconds",
          "group=\"" + materialized.name() + "\",job=\"backfill\",project=\"flights\"")).isEqualTo(983412000.0);
      assertThat(gauge(scrape, "strata_job_last_success_timestamp_seconds",
          "group=\"" + streamed.name() + "\",job=\"stream\",project=\"flights\"")).isEqualTo(983422830.0);
      assertThat(gauge(scrape, "strata_job_last_success_timestamp_seconds",
          "group=\"delay_model_health\",job=\"monitor\",project=\"flights\"")).isEqualTo(983415600.0);
      assertThat(scrape).doesNotContain("group=\"" + never.name() + "\",job=");

      // A new materialize within the refresh interval is not read yet; staleness still follows the clock.
      try (Registry registry = Projects.openRegistry(config)) {
        registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, materialized.name(), materialized.version())
            .covered(0, micros(Instant.parse("2001-03-01T05:30:00Z"))).times(mar1, Instant.parse("2001-03-01T05:31:00Z")).build());
      }
      clock.now = Instant.parse("2001-03-01T06:00:30Z");
      assertThat(gauge(scrape(server), "strata_group_staleness_seconds",
          "group=\"" + materialized.name() + "\",project=\"flights\"")).isEqualTo(25230.0);
      clock.now = Instant.parse("2001-03-01T06:01:00Z");
      String later = scrape(server);
      assertThat(gauge(later, "strata_group_staleness_seconds", "group=\"" + materialized.name() + "\",project=\"flights\""))
          .as("re-read after the interval: 06:01 - 05:30").isEqualTo(1860.0);
      assertThat(gauge(later, "strata_job_last_success_timestamp_seconds",
          "group=\"" + materialized.name() + "\",job=\"materialize\",project=\"flights\"")).isEqualTo(983424660.0);
    }
  }

  /**
   * A value served from a group whose online data is older than its freshness is still served, with
   * Feast's OUTSIDE_MAX_AGE instead of PRESENT; a fresh group's values stay PRESENT. Known: origin_delays
   * has a 1h window (freshness 1 hour), destination_delays and route_delays 1d at the smallest (1 day).
   */
  @Test
  void aValueFromAStaleGroupIsOutsideMaxAge(@TempDir Path tmp) throws Exception {
    Path dir = copyExample(tmp.resolve("flights"));
    Files.writeString(dir.resolve("strata.yaml"), Files.readString(dir.resolve("strata.yaml"))
        .replace("redis://127.0.0.1:6379", URL));
    CompiledPlan plan = ProjectSnapshot.read(dir).plan();
    StrataConfig config = StrataConfig.load(dir);
    OnlineStoreConfig storeConfig = OnlineStoreConfig.fromUrl(URL);
    try (UnifiedJedis redis = RedisConnections.open(storeConfig)) {
      KvTileWriter writer = KvTileWriter.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(storeConfig.prefix())).build();
      for (CompiledGroup g : plan.groups()) {
        EventTiler tiler = new EventTiler(plan, g.name());
        FlightsSample.events().forEach(tiler::add);
        writer.write(new ArrayList<>(tiler.all()));
      }
    }
    // The sample's last event is 2001-03-31T22:27; serve at 23:30.
    Instant now = Instant.parse("2001-03-31T23:30:00Z");
    CompiledGroup origin = plan.group("origin_delays").orElseThrow();
    CompiledGroup destination = plan.group("destination_delays").orElseThrow();
    CompiledGroup route = plan.group("route_delays").orElseThrow();
    try (Registry registry = Projects.openRegistry(config)) {
      // 30 minutes behind: within origin's 1 hour
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.STREAM, origin.name(), origin.version())
          .covered(0, micros(Instant.parse("2001-03-31T23:00:00Z"))).build());
      // 23.5 hours behind: within destination's 1 day
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, destination.name(), destination.version())
          .covered(0, micros(Instant.parse("2001-03-31T00:00:00Z"))).build());
      // 2 days 23.5 hours behind: stale
      registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, route.name(), route.version())
          .covered(0, micros(Instant.parse("2001-03-29T00:00:00Z"))).build());
    }
    List<Map<String, Object>> rows = List.of(Map.of("airport", "ORD", "origin", "ORD", "destination", "LAX"));
    MovableClock clock = new MovableClock(now);
    OnlineStore store = OnlineStore.open(plan, storeConfig);
    AtomicReference<FeatureServer> self = new AtomicReference<>();
    OnlineReader reader = store.reader().clock(clock).staleGroups(() -> self.get().staleGroups()).build();
    OnlineFeatures plain = store.reader().clock(clock).build().getOnlineFeatures("delay_model_v1", rows);
    try (FeatureServer server = FeatureServer.builder(reader).ownStore(store).clock(clock)
        .freshness(plan.project(), () -> ServeCommand.progress(plan, config), Duration.ZERO).build()) {
      self.set(server);
      server.start(0);
      assertThat(server.staleGroups()).containsExactly(route.name());
      OnlineFeatures served;
      try (FeatureClient client = FeatureClient.http(URI.create("http://127.0.0.1:" + server.port()), null)) {
        served = client.getOnlineFeatures("delay_model_v1", rows);
      }
      OnlineFeatures inProcess = reader.getOnlineFeatures("delay_model_v1", rows);
      assertThat(served.featureNames()).isEqualTo(plain.featureNames());
      for (int f = 0; f < served.featureNames().size(); f++) {
        String name = served.featureNames().get(f);
        assertThat(plain.status(0, f)).as(name).isEqualTo(FeatureStatus.PRESENT);
        assertThat(served.value(0, f)).as("still served: " + name).isEqualTo(plain.value(0, f));
        assertThat(inProcess.value(0, f)).as("still served: " + name).isEqualTo(plain.value(0, f));
        boolean fromRoute = name.startsWith(route.name());
        boolean derived = !fromRoute && !name.startsWith(origin.name()) && !name.startsWith(destination.name());
        // A derived value counts as stale when any of the service's groups is (documented).
        FeatureStatus want = fromRoute || derived ? FeatureStatus.OUTSIDE_MAX_AGE : FeatureStatus.PRESENT;
        assertThat(inProcess.status(0, f)).as(name).isEqualTo(want);
        // Over HTTP both are Feast's OUTSIDE_MAX_AGE: the client reads one without a value (an empty window) as OUTSIDE_TTL.
        assertThat(served.status(0, f)).as(name)
            .isEqualTo(want == FeatureStatus.OUTSIDE_MAX_AGE && plain.value(0, f) == null ? FeatureStatus.OUTSIDE_TTL : want);
      }
      assertThat(served.featureNames()).anySatisfy(n -> assertThat(n).startsWith(route.name()));

      // Once the route's materialize catches up, it is PRESENT again.
      try (Registry registry = Projects.openRegistry(config)) {
        registry.jobs().recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, route.name(), route.version())
            .covered(0, micros(Instant.parse("2001-03-31T23:00:00Z"))).build());
      }
      assertThat(server.staleGroups()).isEmpty();
      OnlineFeatures caughtUp = reader.getOnlineFeatures("delay_model_v1", rows);
      for (int f = 0; f < caughtUp.featureNames().size(); f++) {
        assertThat(caughtUp.status(0, f)).as(caughtUp.featureNames().get(f)).isEqualTo(FeatureStatus.PRESENT);
      }
    }
  }

  private static long micros(Instant t) {
    return t.getEpochSecond() * MICROS;
  }

  private static String scrape(FeatureServer server) throws IOException, InterruptedException {
    HttpResponse<String> r = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static double gauge(String scrape, String name, String labels) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(name + "{" + labels + "}") + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as(name + "{" + labels + "} in\n" + scrape).isTrue();
    return m.group(1).equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(m.group(1));
  }
}
