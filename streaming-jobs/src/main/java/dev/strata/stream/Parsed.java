package dev.strata.stream;

/**
 * A record and what it parsed to: a row of the source schema (with an event time) or the reason
 * it is not one, and where a Kafka record came from ({@code origin}, null for files). Sources
 * parse as they read, so event time (and Kafka's per-partition watermarks) are known at the
 * source. The row is never mutated after construction.
 */
public record Parsed(String record, Object[] row, long micros, String error, Origin origin) {

  static Parsed ok(String record, Object[] row, long micros) {
    return new Parsed(record, row, micros, null, null);
  }

  static Parsed malformed(String record, String reason) {
    return new Parsed(record, null, Long.MIN_VALUE, reason, null);
  }

  /** This record read at {@code origin}. */
  Parsed at(Origin origin) {
    return new Parsed(record, row, micros, error, origin);
  }

  boolean isOk() {
    return error == null;
  }
}
