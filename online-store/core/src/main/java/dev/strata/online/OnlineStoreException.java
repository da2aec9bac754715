package dev.strata.online;

import dev.strata.dsl.error.StoreUnavailableException;

/**
 * The online store could not be reached or answered with an error; the message says which, the
 * cause is the store client's exception. A {@link StoreUnavailableException}: the feature server
 * answers 503, and nothing of the failed call may be assumed done.
 */
public class OnlineStoreException extends StoreUnavailableException {
  private static final long serialVersionUID = 1L;

  public OnlineStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
