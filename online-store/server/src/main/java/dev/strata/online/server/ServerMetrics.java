package dev.strata.online.server;

import dev.strata.dsl.plan.GroupProgress;
import dev.strata.online.log.ServingLog;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;

/**
 * The server's Prometheus metrics, served by {@code GET /metrics}: {@code strata_http_requests}
 * (a timer by known path, or "other", and status), {@code strata_redis_errors} (store failures
 * while serving), {@code strata_request_entity_rows}, and with a serving log {@code
 * strata_serving_log_written} and {@code strata_serving_log_dropped}, and with a job ledger the
 * freshness gauges of {@link FreshnessGauges}. Thread-safe; recording never
 * fails a request.
 */
final class ServerMetrics {
  private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter storeErrors;
  private final DistributionSummary entityRows;
  private volatile FreshnessGauges freshness;

  ServerMetrics(ServingLog log) {
    if (log != null) {
      FunctionCounter.builder("strata_serving_log_written", log, ServingLog::written)
          .description("Lines written to the serving log").register(registry);
      FunctionCounter.builder("strata_serving_log_dropped", log, ServingLog::dropped)
          .description("Served entity rows not logged because the log's queue was full").register(registry);
    }
    this.storeErrors = Counter.builder("strata_redis_errors").description("Redis failures while serving").register(registry);
    this.entityRows = DistributionSummary.builder("strata_request_entity_rows").description("Entity rows per request")
        .register(registry);
  }

  /** Adds the freshness gauges ({@link FreshnessGauges}), read from {@code source} at scrape time at most every {@code refresh}. */
  void watchFreshness(String project, Supplier<List<GroupProgress>> source, Duration refresh, Clock clock) {
    this.freshness = new FreshnessGauges(registry, project, source, refresh, clock);
  }

  /** See {@link FreshnessGauges#staleGroups()}; none without a ledger. */
  java.util.Set<String> staleGroups() {
    FreshnessGauges f = freshness;
    return f == null ? java.util.Set.of() : f.staleGroups();
  }

  PrometheusMeterRegistry registry() {
    return registry;
  }

  /** One failure of the store while serving (a request answered 503, a failed readiness ping). */
  void storeError() {
    storeErrors.increment();
  }

  void entityRows(int rows) {
    entityRows.record(rows);
  }

  /** One answered request: {@code path} is a known path or "other" (an unbounded tag would be a leak). */
  void request(String path, int status, long nanos) {
    Timer.builder("strata_http_requests")
        .description("HTTP requests by path and status")
        .tag("path", path)
        .tag("status", Integer.toString(status))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(0).plusNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The Prometheus text exposition of every metric. */
  String scrape() {
    FreshnessGauges f = freshness;
    if (f != null) {
      f.refreshIfDue();
    }
    return registry.scrape();
  }
}
