package dev.strata.monitoring.alert;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Status;
import dev.strata.monitoring.report.DriftReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

/**
 * POSTs a JSON summary of a drifting monitor run to a webhook: the monitor, its reference and
 * current slices, and each feature whose status is drift with its reasons and metric values.
 * Slack-style receivers get a {@code text} line too.
 */
public final class DriftWebhook {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DriftWebhook() {}

  /** The JSON body for {@code report}. */
  public static String body(String monitor, DriftReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    long drifting = report.features().stream().filter(f -> f.status() == Status.DRIFT).count();
    root.put("text", "Strata monitor " + monitor + ": " + drifting + " feature(s) in drift, " + report.current()
        + " against " + report.reference());
    root.put("monitor", monitor);
    root.put("status", report.overall().label());
    root.put("reference", report.reference());
    root.put("slice", report.current());
    root.put("generated_at", report.generatedAt());
    ArrayNode features = root.putArray("features");
    for (FeatureDrift f : report.features()) {
      if (f.status() != Status.DRIFT) {
        continue;
      }
      ObjectNode n = features.addObject();
      n.put("feature", f.feature());
      n.put("status", f.status().label());
      f.reasons().forEach(n.putArray("reasons")::add);
      ObjectNode metrics = n.putObject("metrics");
      for (Map.Entry<String, Double> m : f.metrics().entrySet()) {
        if (Double.isFinite(m.getValue())) {
          metrics.put(m.getKey(), m.getValue());
        } else {
          metrics.putNull(m.getKey());
        }
      }
    }
    try {
      return MAPPER.writeValueAsString(root);
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Posts the summary when any feature's status is drift; returns whether it posted.
   *
   * @throws IOException when the webhook cannot be reached or does not answer 2xx
   */
  public static boolean postOnDrift(String monitor, DriftReport report, URI url) throws IOException {
    if (report.overall() != Status.DRIFT) {
      return false;
    }
    HttpRequest request = HttpRequest.newBuilder(url).timeout(Duration.ofSeconds(10))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body(monitor, report), StandardCharsets.UTF_8)).build();
    Http.send(request, "the webhook " + url);
    return true;
  }
}
