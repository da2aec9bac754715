package dev.strata.online.client;

import dev.strata.dsl.error.StoreUnavailableException;

/**
 * The serving log cannot write now (its writer failed or stopped, a write failed, it did not
 * write in time): what was refused was not acknowledged, and retrying it is safe (the log is
 * at-least-once). The server answers it 503; {@link FeatureClient#logPredictions} throws it.
 */
public class LogUnavailableException extends StoreUnavailableException {
  private static final long serialVersionUID = 1L;

  public LogUnavailableException(String message) {
    super(message);
  }

  public LogUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }
}
