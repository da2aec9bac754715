package dev.strata.online.log;

import dev.strata.online.client.Label;
import dev.strata.online.client.LogFullException;
import dev.strata.online.client.LogUnavailableException;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.client.Prediction;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Where served feature vectors, predictions and labels are recorded for skew and prediction
 * monitoring. Implementations never block or fail the serving path for feature vectors (they
 * sample and may drop, counting what they drop); predictions and labels are refused, not
 * dropped, when they cannot be queued, so a client can retry.
 *
 * <p>Predictions and labels are acknowledged through the returned future: it completes normally
 * only once every record of the call is written to the operating system (and synced to disk when
 * the log is configured to), and exceptionally with a {@link LogUnavailableException} when they
 * could not be written. A caller must not report a record as logged before its future completes.
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
   * @return completes once the records are written, exceptionally with a {@link LogUnavailableException}
   * @throws LogUnavailableException when the log cannot take them now ({@link LogFullException} when its queue is full)
   */
  CompletableFuture<Void> predictions(List<Prediction> predictions);

  /**
   * Logs labels that arrived after the predictions of the same request ids.
   *
   * @return completes once the records are written, exceptionally with a {@link LogUnavailableException}
   * @throws LogUnavailableException when the log cannot take them now ({@link LogFullException} when its queue is full)
   */
  CompletableFuture<Void> labels(List<Label> labels);

  /** Null when the log can take records, else why it cannot (its writer died, its directory is not writable). */
  default String unavailableReason() {
    return null;
  }

  /** Entity rows of served vectors dropped (not logged) because the queue was full. */
  long dropped();

  /** Lines written so far. */
  long written();

  /** Writes what is queued and completes the open files. */
  @Override
  void close();
}
