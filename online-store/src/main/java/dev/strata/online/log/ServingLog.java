package dev.strata.online.log;

import dev.strata.online.OnlineFeatures;
import java.util.List;
import java.util.Map;

/**
 * Where served feature vectors, predictions and labels are recorded for skew and prediction
 * monitoring. Implementations never block or fail the serving path for feature vectors (they
 * sample and may drop, counting what they drop); predictions and labels are refused, not
 * dropped, when they cannot be queued, so a client can retry.
 */
public interface ServingLog extends AutoCloseable {
  /** Whether the vectors of this request are logged: a stable function of the request id. */
  boolean sampled(String requestId);

  /** Logs the vectors served for one request if {@link #sampled} says so; never blocks. */
  void features(String service, String requestId, long servedAtMicros, List<Map<String, Object>> entityRows,
      OnlineFeatures result);

  /**
   * Logs predictions (and labels already known).
   *
   * @throws LogFullException when the log cannot take them now
   */
  void predictions(List<Prediction> predictions);

  /**
   * Logs labels that arrived after the predictions of the same request ids.
   *
   * @throws LogFullException when the log cannot take them now
   */
  void labels(List<Label> labels);

  /** Entity rows of served vectors dropped (not logged) because the queue was full. */
  long dropped();

  /** Lines written so far. */
  long written();

  /** Writes what is queued and completes the open files. */
  @Override
  void close();

  /** One model output for one entity row. {@code label} may be null (it often arrives later). */
  record Prediction(String model, String requestId, long timeMicros, Map<String, Object> entities, Object prediction,
      Object label) {
    public Prediction {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("Cannot log a prediction: the model name is missing");
      }
      if (requestId == null || requestId.isBlank()) {
        throw new IllegalArgumentException("Cannot log a prediction of model '" + model + "': the request id is missing");
      }
      entities = entities == null ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entities));
    }
  }

  /** The true outcome for a logged prediction, joined by model and request id. */
  record Label(String model, String requestId, long timeMicros, Object label) {
    public Label {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException("Cannot log a label: the model name is missing");
      }
      if (requestId == null || requestId.isBlank()) {
        throw new IllegalArgumentException("Cannot log a label of model '" + model + "': the request id is missing");
      }
    }
  }

  /** The log's queue is full: nothing of the call was logged. */
  final class LogFullException extends RuntimeException {
    public LogFullException(String message) {
      super(message);
    }
  }
}
