package dev.strata.dsl.error;

/**
 * A store the request needs cannot answer now, or answered with something it cannot have
 * written: Redis is unreachable or fails, the feature server does not answer, the serving log
 * cannot write. Nothing of the failed call may be assumed done; retrying may succeed. HTTP 503.
 * The cause, when there is one, is the store's own exception.
 */
public class StoreUnavailableException extends RuntimeException implements StrataFailure {
  private static final long serialVersionUID = 1L;

  public StoreUnavailableException(String message) {
    super(message);
  }

  public StoreUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.UNAVAILABLE;
  }
}
