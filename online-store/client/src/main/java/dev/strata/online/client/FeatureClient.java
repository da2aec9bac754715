package dev.strata.online.client;

import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.error.StoreUnavailableException;
import dev.strata.dsl.error.UnknownNameException;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What a model calls to fetch online features: the same call against a feature server ({@link
 * #http}) or in-process on the reader ({@code InProcessFeatureClient} of online-store-server).
 *
 * <p>Failures are typed ({@link dev.strata.dsl.error.StrataFailure}): a bad request is a {@link
 * BadRequestException} (an {@link IllegalArgumentException}), an unknown service or feature an
 * {@link UnknownNameException}, a store or server that cannot answer a {@link
 * StoreUnavailableException}. Implementations are thread-safe.
 */
public interface FeatureClient extends AutoCloseable {
  /**
   * Feature values of {@code service} as of now for each entity row: key name → value, and for a
   * service with request inputs, each input's name → its value for that row (Feast's request
   * source fields; {@code null} is SQL NULL). Request inputs are read, never returned.
   *
   * @throws UnknownNameException for an unknown service
   * @throws BadRequestException for another bad request (a missing or mistyped key or request input, a limit exceeded)
   * @throws StoreUnavailableException when the store or server is unavailable
   */
  OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows);

  /**
   * Feature values of {@code service} exactly as of {@code asOf} (the server's {@code "as_of"}):
   * for exploring historical data and for tests. The store answers an instant only after the
   * latest event it holds for each requested key (older instants are read from the offline
   * tables).
   *
   * @throws BadRequestException as above, and when the store holds an event of a requested key at
   *     or after {@code asOf} (the message names the earliest instant it answers)
   * @throws UnknownNameException for an unknown service
   * @throws StoreUnavailableException when the store or server is unavailable
   */
  OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows, java.time.Instant asOf);

  /**
   * Records what a model predicted from served features, for prediction drift and skew
   * monitoring; pass {@link OnlineFeatures#requestId()} of the fetch as the request id.
   *
   * @throws IllegalStateException when nothing logs (no serving log in-process, none on the server)
   * @throws LogUnavailableException when the log cannot write them now (its queue is full: {@link
   *     LogFullException}; its writer failed; a time outside the server's window is a
   *     BadRequestException). Nothing of the call was acknowledged: retry.
   */
  void logPredictions(List<Prediction> predictions);

  /** Records labels (true outcomes) of earlier predictions, by model and request id. */
  void logLabels(List<Label> labels);

  /** One prediction, as of now. */
  default void logPrediction(String model, String requestId, Map<String, Object> entities, Object prediction) {
    logPredictions(List.of(new Prediction(model, requestId,
        dev.strata.dsl.time.Durations.toMicros(java.time.Instant.now()), entities, prediction, null)));
  }

  @Override
  default void close() {}

  /** A client of the feature server at {@code baseUrl} (e.g. http://127.0.0.1:6566); token may be null. */
  static FeatureClient http(URI baseUrl, String bearerToken) {
    return new HttpFeatureClient(baseUrl, bearerToken);
  }
}
