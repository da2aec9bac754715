package dev.strata.monitoring.alert;

import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.performance.ModelPerformance;
import dev.strata.monitoring.report.DriftReport;
import dev.strata.monitoring.skew.FeatureSkew;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;

/**
 * A monitor run's results as Prometheus gauges, in the text exposition format written by
 * Micrometer's Prometheus registry:
 *
 * <ul>
 *   <li>{@code strata_drift_value{monitor, feature, metric}}: each metric of the current slice
 *       (undefined ones, NaN, are left out);
 *   <li>{@code strata_drift_status{monitor, feature}}: 0 ok, 1 warn, 2 drift;
 *   <li>{@code strata_skew_mismatch_share{monitor, feature}} and
 *       {@code strata_skew_rows_compared{monitor, feature}} when the run compared served values;
 *   <li>{@code strata_model_performance{monitor, model, metric}}: the model against the labels
 *       of the current slice (mae, rmse, bias, accuracy), when labels arrived.
 * </ul>
 *
 * Written to a file (atomically, for node-exporter's textfile collector, which must never read
 * half a file) or pushed to a Pushgateway (replacing the monitor's group).
 */
public final class PrometheusGauges {
  private PrometheusGauges() {}

  /** The exposition text of {@code report}'s current slice. */
  public static String scrape(String monitor, DriftReport report) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try {
      for (FeatureDrift f : report.features()) {
        for (Map.Entry<String, Double> m : f.metrics().entrySet()) {
          double v = m.getValue();
          if (!Double.isNaN(v)) {
            Gauge.builder("strata.drift.value", () -> v)
                .description("Drift metric of a feature, current slice against the monitor's reference")
                .tags("monitor", monitor, "feature", f.feature(), "metric", m.getKey()).register(registry);
          }
        }
        int status = f.status().ordinal();
        Gauge.builder("strata.drift.status", () -> status)
            .description("Drift status of a feature: 0 ok, 1 warn, 2 drift")
            .tags("monitor", monitor, "feature", f.feature()).register(registry);
      }
      if (report.skew() != null) {
        for (FeatureSkew s : report.skew().features()) {
          double share = s.mismatchShare();
          long rows = s.rowsCompared();
          Gauge.builder("strata.skew.mismatch.share", () -> share)
              .description("Share of served values that differ from the offline values")
              .tags("monitor", monitor, "feature", s.feature()).register(registry);
          Gauge.builder("strata.skew.rows.compared", () -> rows)
              .description("Served values compared with offline values")
              .tags("monitor", monitor, "feature", s.feature()).register(registry);
        }
      }
      if (report.performance() != null) {
        for (ModelPerformance.Metric m : report.performance().metrics()) {
          if (m.current() != null && !m.current().isNaN()) {
            double v = m.current();
            Gauge.builder("strata.model.performance", () -> v)
                .description("A model's predictions against the labels of the current slice")
                .tags("monitor", monitor, "model", report.performance().model(), "metric", m.name()).register(registry);
          }
        }
      }
      return registry.scrape();
    } finally {
      registry.close();
    }
  }

  /** Writes the gauges to {@code file} through a temporary sibling and an atomic move. */
  public static void write(String monitor, DriftReport report, Path file) throws IOException {
    Path tmp = file.resolveSibling("." + file.getFileName() + ".tmp");
    Files.writeString(tmp, scrape(monitor, report), StandardCharsets.UTF_8);
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /**
   * PUTs the gauges to a Pushgateway at {@code base} (e.g. {@code http://host:9091}) under
   * {@code /metrics/job/strata_monitor/monitor/<name>}, replacing that group's previous values.
   *
   * @throws IOException when the gateway cannot be reached or does not answer 2xx
   */
  public static void push(String monitor, DriftReport report, URI base) throws IOException {
    String root = base.toString().endsWith("/") ? base.toString() : base + "/";
    URI uri = URI.create(root + "metrics/job/strata_monitor/monitor/" + URLEncoder.encode(monitor, StandardCharsets.UTF_8));
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        .PUT(HttpRequest.BodyPublishers.ofString(scrape(monitor, report), StandardCharsets.UTF_8)).build();
    Http.send(request, "Pushgateway " + base);
  }
}
