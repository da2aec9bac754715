package dev.strata.online.server;

import dev.strata.dsl.time.Durations;
import dev.strata.online.OnlineReader;
import dev.strata.online.client.FeatureClient;
import dev.strata.online.client.Label;
import dev.strata.online.client.LogUnavailableException;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.client.Prediction;
import dev.strata.online.log.ServingLog;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

/**
 * A {@link FeatureClient} that calls the reader in this JVM: no serialization, no network hop
 * beyond the store. It answers exactly what the reader answers (the same values, statuses and
 * typed failures), and with a {@link ServingLog} it logs as the feature server does: served
 * vectors sampled under a fresh request id, predictions and labels acknowledged only once written.
 */
public final class InProcessFeatureClient implements FeatureClient {
  private final OnlineReader reader;
  private final ServingLog log;

  private InProcessFeatureClient(OnlineReader reader, ServingLog log) {
    this.reader = Objects.requireNonNull(reader, "reader");
    this.log = log;
  }

  /** Calls the reader in this JVM; logs nothing ({@link #logPredictions} throws IllegalStateException). */
  public static FeatureClient of(OnlineReader reader) {
    return new InProcessFeatureClient(reader, null);
  }

  /** Calls the reader in this JVM and logs served vectors (sampled), predictions and labels to {@code log}. */
  public static FeatureClient of(OnlineReader reader, ServingLog log) {
    return new InProcessFeatureClient(reader, log);
  }

  @Override
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows) {
    if (log == null) {
      return reader.getOnlineFeatures(service, entityRows);
    }
    long servedAt = Durations.toMicros(Instant.now());
    return logged(service, servedAt, entityRows, reader.getOnlineFeatures(service, entityRows));
  }

  @Override
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows, Instant asOf) {
    long servedAt = Durations.toMicros(Instant.now());
    OnlineFeatures result = reader.getOnlineFeatures(service, entityRows, Durations.toMicros(asOf));
    return log == null ? result : logged(service, servedAt, entityRows, result);
  }

  private OnlineFeatures logged(String service, long servedAt, List<Map<String, Object>> entityRows, OnlineFeatures result) {
    String requestId = UUID.randomUUID().toString();
    OnlineFeatures tagged = result.withRequestId(requestId);
    log.features(service, requestId, servedAt, entityRows, tagged);
    return tagged;
  }

  @Override
  public void logPredictions(List<Prediction> predictions) {
    await(logOrFail().predictions(predictions));
  }

  @Override
  public void logLabels(List<Label> labels) {
    await(logOrFail().labels(labels));
  }

  /** Returns once the log has written the records, as the server's 202 does. */
  private static void await(java.util.concurrent.CompletableFuture<Void> written) {
    try {
      written.get(10, java.util.concurrent.TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw e.getCause() instanceof LogUnavailableException u ? u
          : new LogUnavailableException("Cannot log: " + e.getCause(), e.getCause());
    } catch (java.util.concurrent.TimeoutException e) {
      throw new LogUnavailableException("Cannot log: the serving log did not write the records within 10 s");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new LogUnavailableException("Cannot log: interrupted", e);
    }
  }

  private ServingLog logOrFail() {
    if (log == null) {
      throw new IllegalStateException("Cannot log predictions: this client has no serving log (InProcessFeatureClient.of(reader, log))");
    }
    return log;
  }
}
