package dev.strata.online.client;

import dev.strata.dsl.time.Durations;
import dev.strata.online.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.log.ServingLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/** Calls the reader directly: no serialization, no network hop beyond Redis. */
final class InProcessFeatureClient implements FeatureClient {
  private final OnlineReader reader;
  private final ServingLog log;

  InProcessFeatureClient(OnlineReader reader, ServingLog log) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.log = log;
  }

  @Override
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows) {
    if (log == null) {
      return reader.getOnlineFeatures(service, entityRows);
    }
    String requestId = UUID.randomUUID().toString();
    long servedAt = Durations.toMicros(Instant.now());
    OnlineFeatures result = reader.getOnlineFeatures(service, entityRows).withRequestId(requestId);
    log.features(service, requestId, servedAt, entityRows, result);
    return result;
  }

  @Override
  public void logPredictions(List<ServingLog.Prediction> predictions) {
    await(logOrFail().predictions(predictions));
  }

  @Override
  public void logLabels(List<ServingLog.Label> labels) {
    await(logOrFail().labels(labels));
  }

  /** Returns once the log has written the records, as the server's 202 does. */
  private static void await(java.util.concurrent.CompletableFuture<Void> written) {
    try {
      written.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof ServingLog.LogUnavailableException u ? u
          : new ServingLog.LogUnavailableException("Cannot log: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new ServingLog.LogUnavailableException("Cannot log: the serving log did not write the records within 10 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ServingLog.LogUnavailableException("Cannot log: interrupted", e);
    }
  }

  private ServingLog logOrFail() {
    if (log == null) {
      throw new IllegalStateException("Cannot log predictions: this client has no serving log (FeatureClient.inProcess(reader, log))");
    }
    return log;
  }
}
