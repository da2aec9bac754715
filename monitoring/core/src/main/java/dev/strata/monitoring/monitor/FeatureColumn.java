package dev.strata.monitoring.monitor;

import java.util.Objects;

/**
 * A column a monitor reads: its name in results ({@code group.feature} for a feature, the column
 * name for a segment) and whether it compares as numbers (numbers and timestamps, as
 * microseconds) or as categories (text, booleans). Serializable: an engine ships it to its
 * workers, which profile their partitions ({@link DailyProfiler}).
 */
public record FeatureColumn(String name, boolean numeric) implements java.io.Serializable {
  public FeatureColumn {
    Objects.requireNonNull(name, "name");
  }

  public static FeatureColumn numeric(String name) {
    return new FeatureColumn(name, true);
  }

  public static FeatureColumn categorical(String name) {
    return new FeatureColumn(name, false);
  }
}
