package dev.strata.stream;

/**
 * A row of the source keyed for one online group version: {@code stateKey} is the Flink key
 * ({@link TileStateKey}: group name, group version and entity key), {@code key} the entity key
 * values in the entity's order. Arrays are never mutated after construction.
 */
public record KeyedEvent(String stateKey, Object[] key, long micros, Object[] row) {}
