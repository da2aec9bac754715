package dev.strata.online;

/** The online store could not be reached or answered with an error; the message says which. */
public class OnlineStoreException extends RuntimeException {
  public OnlineStoreException(String message, Throwable cause) {
    super(message, cause);
  }
}
