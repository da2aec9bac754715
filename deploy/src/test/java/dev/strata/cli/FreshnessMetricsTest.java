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
import dev.strata.online.OnlineStore;
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
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
