package dev.strata.stream;

/**
 * A record the job could not use: the source, the reason (one sentence), the record as text, and
 * for a Kafka record where it was read and its bytes ({@code origin}, null for files and for
 * events that already left their record behind).
 */
public record DeadLetter(String source, String reason, String record, Origin origin) {

  public DeadLetter(String source, String reason, String record) {
    this(source, reason, record, null);
  }

  /** A letter for a parsed record, keeping its origin. */
  static DeadLetter of(String source, String reason, Parsed parsed) {
    return new DeadLetter(source, reason, parsed.record(), parsed.origin());
  }
}
