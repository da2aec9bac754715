package dev.strata.stream;

/** A record that is not a row of the source schema; the message is the reason, one sentence. */
public final class MalformedRecordException extends Exception {
  private static final long serialVersionUID = 1L;

  public MalformedRecordException(String reason) {
    super(reason, null, false, false); // expected on bad input: no stack trace to fill
  }
}
