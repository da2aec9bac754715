package dev.strata.online.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.time.Durations;
import dev.strata.online.OnlineReader;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.log.ServingLog;
import io.javalin.http.Context;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code POST /get-online-features}: decodes Feast's request ({@link RequestCodec}), reads the
 * values ({@link OnlineReader}), logs the served vectors when a serving log is on, and answers
 * with Feast's response ({@link ResponseCodec}).
 *
 * <p>Guarantees: a request with a serving log always gets an {@code X-Request-Id} (the client's
 * own when it sent a plausible one, else a fresh UUID), also on a 4xx; the vectors logged under it
 * are exactly those answered; logging never blocks or fails the answer. Failures are thrown for
 * {@link HttpErrors} to answer (a bad request 400, an unknown service or feature 404, more rows
 * than {@code maxEntities} 400, the store down 503). With {@code "as_of"} the values are exactly
 * those as of that instant ({@link OnlineReader#getOnlineFeatures(String, List, long)}); an instant
 * the store can no longer answer for a key (it holds a later event) is a 400 that names the
 * earliest it can.
 */
final class FeatureEndpoint {
  private final OnlineReader reader;
  private final ServingLog log;
  private final BearerAuth auth;
  private final ServerMetrics metrics;
  private final Clock clock;
  private final int maxEntities;

  FeatureEndpoint(OnlineReader reader, ServingLog log, BearerAuth auth, ServerMetrics metrics, Clock clock, int maxEntities) {
    this.reader = reader;
    this.log = log;
    this.auth = auth;
    this.metrics = metrics;
    this.clock = clock;
    this.maxEntities = maxEntities;
  }

  void handle(Context ctx) {
    auth.require(ctx, "serve the request");
    JsonNode body = RequestCodec.body(ctx);
    String requestId = null;
    if (log != null) {
      String given = ctx.header("X-Request-Id");
      requestId = given != null && RequestCodec.REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
      ctx.header("X-Request-Id", requestId);
    }
    RequestCodec.FeatureRequest request = RequestCodec.featureRequest(body);
    if (request.rows() > maxEntities) {
      throw new BadRequestException("Cannot serve " + request.rows() + " entity rows: the limit is " + maxEntities + " per request.");
    }
    List<Map<String, Object>> rows = request.entityRows();
    metrics.entityRows(request.rows());
    long servedAt = Durations.toMicros(clock.instant());
    OnlineFeatures result;
    if (request.asOfMicros() == null) {
      result = request.service() != null
          ? reader.getOnlineFeatures(request.service(), rows)
          : reader.getOnlineFeaturesByName(RequestCodec.featureRefs(request.features()), rows);
    } else {
      // Exactly as of the instant: a key whose store already holds a later event is a 400 naming the earliest it answers.
      long t = request.asOfMicros();
      result = request.service() != null
          ? reader.getOnlineFeatures(request.service(), rows, t)
          : reader.getOnlineFeaturesByName(RequestCodec.featureRefs(request.features()), rows, t);
    }
    if (log != null) {
      log.features(request.service() != null ? request.service() : "(features)", requestId, servedAt, rows,
          result.withRequestId(requestId));
    }
    ctx.contentType("application/json").result(ResponseCodec.features(request.columns(), result));
  }
}
