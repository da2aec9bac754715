package dev.strata.online.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.error.UnknownNameException;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.online.client.Label;
import dev.strata.online.client.LogUnavailableException;
import dev.strata.online.client.Prediction;
import dev.strata.online.log.ServingLog;
import io.javalin.http.Context;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * {@code POST /log-predictions} and {@code POST /log-labels}: what a model made of served vectors,
 * and the true outcomes later, into the serving log.
 *
 * <p>Guarantees: 202 {@code {"logged": n}} only once the log has written every record of the
 * request (to the operating system, or fsynced when the log syncs on acknowledge); otherwise
 * nothing is acknowledged and the request may be retried (the log is at-least-once). A record
 * time outside {@code [now - maxAge, now + maxAhead]} is a 400, so no client makes the server hold
 * a partition file per day it names. Without a serving log both answer 404. The log failing, its
 * queue full, or a write not done within {@link FeatureServer#LOG_WRITE_TIMEOUT} is a {@link
 * LogUnavailableException} (503).
 */
final class LogEndpoints {
  private final ServingLog log;
  private final BearerAuth auth;
  private final Clock clock;
  private final Duration maxAge;
  private final Duration maxAhead;

  LogEndpoints(ServingLog log, BearerAuth auth, Clock clock, Duration maxAge, Duration maxAhead) {
    this.log = log;
    this.auth = auth;
    this.clock = clock;
    this.maxAge = maxAge;
    this.maxAhead = maxAhead;
  }

  void predictions(Context ctx) {
    JsonNode body = body(ctx);
    String model = body.path("model").asText("");
    List<String> ids = RequestCodec.requestIds(body, "request_ids");
    List<Object> predictions = RequestCodec.scalars(body, "predictions", ids.size(), true);
    List<Object> labels = RequestCodec.scalars(body, "labels", ids.size(), false);
    JsonNode entities = body.path("entities");
    if (!entities.isMissingNode() && !entities.isObject()) {
      throw new BadRequestException("Cannot log predictions: \"entities\" must be an object of key name to a list of values.");
    }
    Map<String, List<Object>> keyColumns = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = entities.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      keyColumns.put(e.getKey(), RequestCodec.scalars(entities, e.getKey(), ids.size(), true));
    }
    long time = timeOf(body);
    List<Prediction> records = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      Map<String, Object> keys = new LinkedHashMap<>();
      for (Map.Entry<String, List<Object>> c : keyColumns.entrySet()) {
        keys.put(c.getKey(), c.getValue().get(i));
      }
      records.add(new Prediction(model, ids.get(i), time, keys, predictions.get(i), labels.get(i)));
    }
    acknowledge(ctx, records.size(), () -> log.predictions(records));
  }

  void labels(Context ctx) {
    JsonNode body = body(ctx);
    String model = body.path("model").asText("");
    List<String> ids = RequestCodec.requestIds(body, "request_ids");
    List<Object> labels = RequestCodec.scalars(body, "labels", ids.size(), true);
    long time = timeOf(body);
    List<Label> records = new ArrayList<>(ids.size());
    for (int i = 0; i < ids.size(); i++) {
      records.add(new Label(model, ids.get(i), time, labels.get(i)));
    }
    acknowledge(ctx, records.size(), () -> log.labels(records));
  }

  /** The checked body of a logging request. */
  private JsonNode body(Context ctx) {
    auth.require(ctx, "serve the request");
    JsonNode body = RequestCodec.body(ctx);
    if (log == null) {
      throw new UnknownNameException("Cannot log predictions: this server has no serving log (start it with --log-dir).");
    }
    RequestCodec.checkLogBody(body);
    return body;
  }

  /** Answers 202 only once the log has written the records. */
  private void acknowledge(Context ctx, int n, Supplier<CompletableFuture<Void>> write) {
    try {
      write.get().get(FeatureServer.LOG_WRITE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof LogUnavailableException u ? u
          : new LogUnavailableException("Cannot log: the serving log failed to write ("
              + e.getCause().getClass().getSimpleName() + ").", e.getCause());
    } catch (TimeoutException e) {
      throw new LogUnavailableException("Cannot log: the serving log did not write the records within "
          + FeatureServer.LOG_WRITE_TIMEOUT.toSeconds() + " s; retry later.", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogUnavailableException("Cannot log: interrupted while waiting for the serving log.", e);
    }
    ctx.status(202).contentType("application/json").result("{\"logged\":" + n + "}");
  }

  /** The body's "time" (ISO-8601) or now, within the accepted window. */
  private long timeOf(JsonNode body) {
    JsonNode t = body.get("time");
    Instant now = clock.instant();
    if (t == null || t.isNull()) {
      return Durations.toMicros(now);
    }
    try {
      Long micros = (Long) TypedValues.fromJson(t, DataType.TIMESTAMP);
      if (micros != null) {
        long nowMicros = Durations.toMicros(now);
        long earliest = nowMicros - maxAge.toMillis() * 1000;
        long latest = nowMicros + maxAhead.toMillis() * 1000;
        if (micros < earliest || micros > latest) {
          throw new BadRequestException("Cannot log predictions: \"time\" " + Durations.formatInstant(micros)
              + " is outside the accepted window " + Durations.formatInstant(earliest) + " .. "
              + Durations.formatInstant(latest) + " (now - " + Durations.format(maxAge.toMillis() * 1000) + " .. now + "
              + Durations.format(maxAhead.toMillis() * 1000) + ").");
        }
        return micros;
      }
    } catch (ValueFormatException | ArithmeticException | java.time.DateTimeException e) {
      // answered below
    }
    throw new BadRequestException("Cannot log predictions: \"time\" must be an ISO-8601 instant such as 2026-01-01T12:00:00Z.");
  }
}
