package dev.strata.online.client;

import dev.strata.online.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.log.ServingLog;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What a model calls to fetch online features: the same call in-process (the reader, no HTTP)
 * or against a feature server.
 */
public interface FeatureClient extends AutoCloseable {
  /**
   * Feature values of {@code service} as of now for each entity row (key name → value).
   *
   * @throws IllegalArgumentException for a bad request (unknown service, missing or mistyped key)
   * @throws dev.strata.online.OnlineStoreException when the store or server is unavailable
   */
  OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows);

  /**
   * Records what a model predicted from served features, for prediction drift and skew
   * monitoring; pass {@link OnlineFeatures#requestId()} of the fetch as the request id.
   *
   * @throws IllegalStateException when nothing logs (no serving log in-process, none on the server)
   * @throws ServingLog.LogUnavailableException when the log cannot write them now (its queue is full: {@link
   *     ServingLog.LogFullException}; its writer failed; a time outside the server's window is an
   *     IllegalArgumentException). Nothing of the call was acknowledged: retry.
   */
  void logPredictions(List<ServingLog.Prediction> predictions);

  /** Records labels (true outcomes) of earlier predictions, by model and request id. */
  void logLabels(List<ServingLog.Label> labels);

  /** One prediction, as of now. */
  default void logPrediction(String model, String requestId, Map<String, Object> entities, Object prediction) {
    logPredictions(List.of(new ServingLog.Prediction(model, requestId,
        dev.strata.dsl.time.Durations.toMicros(java.time.Instant.now()), entities, prediction, null)));
  }

  @Override
  default void close() {}

  /** Calls the reader in this JVM; logs nothing. */
  static FeatureClient inProcess(OnlineReader reader) {
    return new InProcessFeatureClient(reader, null);
  }

  /** Calls the reader in this JVM and logs served vectors (sampled), predictions and labels to {@code log}. */
  static FeatureClient inProcess(OnlineReader reader, ServingLog log) {
    return new InProcessFeatureClient(reader, log);
  }

  /** A client of the feature server at {@code baseUrl} (e.g. http://127.0.0.1:6566); token may be null. */
  static FeatureClient http(URI baseUrl, String bearerToken) {
    return new HttpFeatureClient(baseUrl, bearerToken);
  }
}
