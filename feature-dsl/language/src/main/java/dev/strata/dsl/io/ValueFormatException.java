package dev.strata.dsl.io;

/**
 * A text or JSON value that is not a value of the type it is read as. The message is the reason
 * in a few words, e.g. {@code expected bigint, got 'late'}; callers prefix where it was (a column,
 * a key).
 */
public final class ValueFormatException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ValueFormatException(String message) {
    super(message);
  }
}
