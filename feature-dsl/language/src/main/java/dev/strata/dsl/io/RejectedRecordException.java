package dev.strata.dsl.io;

/**
 * A record of an event source that is not an event of its schema. The message is the reason,
 * the same whichever engine read the record (e.g. {@code column 'delay': expected bigint, got
 * 'late'}, {@code expected 5 cells as in the header, got 4}).
 */
public final class RejectedRecordException extends Exception {
  private static final long serialVersionUID = 1L;

  public RejectedRecordException(String reason) {
    super(reason, null, false, false); // a reason, not a failure: no stack trace to fill
  }
}
