package dev.strata.stream;

/**
 * A row of the source keyed for one online group: {@code group} indexes the job's groups,
 * {@code partition} is the Flink key (group and entity key, as one string), {@code key} the
 * entity key values in the entity's order. Arrays are never mutated after construction.
 */
public record KeyedEvent(int group, String partition, Object[] key, long micros, Object[] row) {}
