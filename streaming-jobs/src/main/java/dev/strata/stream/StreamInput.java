package dev.strata.stream;

import java.nio.file.Path;

/** Where a source's records come from in one run of the job. */
public sealed interface StreamInput {

  /**
   * A Kafka topic, read from the group's committed offsets (the earliest when none); {@code
   * bounded} stops at the offsets that were latest when the job started (tests, catch-up runs).
   */
  record Kafka(String bootstrapServers, String topic, String groupId, String format, boolean bounded) implements StreamInput {}

  /** A file replayed in event-time order; {@code speed} 0 = as fast as possible. */
  record File(Path path, String format, double speed) implements StreamInput {}
}
