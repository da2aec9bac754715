package dev.strata.batch;

/**
 * A failure a user can act on (missing input, unknown name, unreachable catalog): its message is
 * one sentence and the entry point prints only that, never a stack trace.
 */
public final class JobException extends RuntimeException {
  public JobException(String message) {
    super(message);
  }

  public JobException(String message, Throwable cause) {
    super(message, cause);
  }
}
