package dev.strata.monitoring.monitor;

import dev.strata.monitoring.profile.ColumnProfile;
import dev.strata.monitoring.profile.ColumnProfileBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One profile per (day, feature) of rows handed over one at a time: what each partition of the
 * sketch mode builds, and how exact mode profiles the values it holds. Not thread-safe; profiles
 * of the same day built apart merge ({@link DayProfiles}).
 */
public final class DailyProfiler {
  private final List<FeatureColumn> features;
  private final Map<Long, ColumnProfileBuilder[]> byDay = new TreeMap<>();
  private long lastDay = Long.MIN_VALUE;
  private ColumnProfileBuilder[] last;

  public DailyProfiler(List<FeatureColumn> features) {
    this.features = List.copyOf(features);
  }

  /**
   * Adds a row of day {@code epochDay}: {@code values[f]} is feature {@code f}'s value, null for
   * a missing one; a number for a numeric feature (NaN counts as null), any value for a
   * categorical one (compared by {@code toString}).
   */
  public void add(long epochDay, Object[] values) {
    ColumnProfileBuilder[] b = builders(epochDay);
    for (int f = 0; f < b.length; f++) {
      Object v = values[f];
      if (v == null) {
        b[f].addNull();
      } else if (features.get(f).numeric()) {
        b[f].add(((Number) v).doubleValue());
      } else {
        b[f].add(v.toString());
      }
    }
  }

  /** The builders of a day; rows come mostly day by day, so the last day skips the map lookup. */
  ColumnProfileBuilder[] builders(long epochDay) {
    if (last == null || epochDay != lastDay) {
      lastDay = epochDay;
      last = byDay.computeIfAbsent(epochDay, d -> newBuilders());
    }
    return last;
  }

  private ColumnProfileBuilder[] newBuilders() {
    ColumnProfileBuilder[] b = new ColumnProfileBuilder[features.size()];
    for (int f = 0; f < b.length; f++) {
      FeatureColumn c = features.get(f);
      b[f] = c.numeric() ? ColumnProfile.numeric(c.name()) : ColumnProfile.categorical(c.name());
    }
    return b;
  }

  /** The profiles built, by day (ascending) and feature; every feature has one on every day seen. */
  public List<DayProfiles.Entry> build() {
    List<DayProfiles.Entry> out = new ArrayList<>();
    for (Map.Entry<Long, ColumnProfileBuilder[]> e : byDay.entrySet()) {
      for (int f = 0; f < features.size(); f++) {
        out.add(new DayProfiles.Entry(e.getKey(), f, e.getValue()[f].build()));
      }
    }
    return out;
  }
}
