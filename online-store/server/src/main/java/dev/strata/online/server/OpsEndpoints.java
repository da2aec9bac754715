package dev.strata.online.server;

import dev.strata.online.OnlineReader;
import dev.strata.online.log.ServingLog;
import io.javalin.http.Context;

/**
 * The operational endpoints: {@code GET /health} and {@code /health/live} (200 while the process
 * serves; open), {@code /health/ready} (200 only when the store answers a ping and the serving
 * log, if any, can write; else 503 with the reason; open) and {@code /metrics} (Prometheus text;
 * with a token set it requires the token). A failed readiness ping is counted as a store error and
 * logged with its cause.
 */
final class OpsEndpoints {
  private static final String OK = "{\"status\":\"ok\"}";

  private final OnlineReader reader;
  private final ServingLog log;
  private final BearerAuth auth;
  private final ServerMetrics metrics;

  OpsEndpoints(OnlineReader reader, ServingLog log, BearerAuth auth, ServerMetrics metrics) {
    this.reader = reader;
    this.log = log;
    this.auth = auth;
    this.metrics = metrics;
  }

  void health(Context ctx) {
    ctx.contentType("application/json").result(OK);
  }

  void ready(Context ctx) {
    try {
      reader.ping();
    } catch (RuntimeException e) {
      metrics.storeError();
      HttpErrors.LOG.warn("Not ready: the online store does not answer", e);
      HttpErrors.error(ctx, 503, "Cannot serve: the online store is unavailable ("
          + HttpErrors.printable(String.valueOf(e.getMessage())) + ").");
      return;
    }
    String logProblem = log == null ? null : log.unavailableReason();
    if (logProblem != null) {
      HttpErrors.LOG.warn("Not ready: the serving log cannot write ({})", logProblem);
      HttpErrors.error(ctx, 503, "Cannot serve: the serving log cannot write (" + logProblem + ").");
      return;
    }
    ctx.contentType("application/json").result("{\"status\":\"ready\"}");
  }

  void metrics(Context ctx) {
    auth.require(ctx, "read the metrics");
    ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
  }
}
