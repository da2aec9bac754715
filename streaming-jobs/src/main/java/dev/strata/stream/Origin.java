package dev.strata.stream;

/**
 * Where a Kafka record came from, and its value as read: what a dead letter needs to point at the
 * record and carry it unchanged. The payload is never mutated after construction.
 */
public record Origin(String topic, int partition, long offset, byte[] payload) {

  /** {@code topic-partition@offset}, as Kafka tools print a position. */
  public String describe() {
    return topic + "-" + partition + "@" + offset;
  }
}
