package dev.strata.stream;

/**
 * A record and what it parsed to: a row of the source schema (with an event time) or the reason
 * it is not one. Sources parse as they read, so event time (and Kafka's per-partition watermarks)
 * are known at the source. The row is never mutated after construction.
 */
public record Parsed(String record, Object[] row, long micros, String error) {

  static Parsed ok(String record, Object[] row, long micros) {
    return new Parsed(record, row, micros, null);
  }

  static Parsed malformed(String record, String reason) {
    return new Parsed(record, null, Long.MIN_VALUE, reason);
  }

  boolean isOk() {
    return error == null;
  }
}
