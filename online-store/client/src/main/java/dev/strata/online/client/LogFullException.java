package dev.strata.online.client;

/** The serving log's queue is full: nothing of the call was logged; retry later. */
public final class LogFullException extends LogUnavailableException {
  private static final long serialVersionUID = 1L;

  public LogFullException(String message) {
    super(message);
  }
}
