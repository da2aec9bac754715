package dev.strata.monitoring.monitor;

import dev.strata.monitoring.profile.ColumnProfile;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Daily profiles of a set of features, merged as they arrive (profiles of the same day and
 * feature built in different partitions merge into one), then merged per range of days:
 * sketch mode's driver side.
 */
public final class DayProfiles {
  /** Feature {@code feature}'s profile of (part of) day {@code epochDay}. */
  public record Entry(long epochDay, int feature, ColumnProfile profile) {
    public Entry {
      Objects.requireNonNull(profile, "profile");
    }
  }

  private final List<FeatureColumn> features;
  private final Map<Long, ColumnProfile[]> byDay = new TreeMap<>();

  public DayProfiles(List<FeatureColumn> features) {
    this.features = List.copyOf(features);
  }

  public List<FeatureColumn> features() {
    return features;
  }

  /** Merges {@code e} into its day's profile of its feature. */
  public void add(Entry e) {
    if (e.feature() < 0 || e.feature() >= features.size()) {
      throw new IllegalArgumentException("Cannot add a profile of feature " + e.feature() + ": there are "
          + features.size());
    }
    ColumnProfile[] day = byDay.computeIfAbsent(e.epochDay(), d -> new ColumnProfile[features.size()]);
    day[e.feature()] = day[e.feature()] == null ? e.profile() : day[e.feature()].merge(e.profile());
  }

  /** Each feature's profile merged over the days of {@code range}; an element is null without any day. */
  public ColumnProfile[] merged(DayRange range) {
    ColumnProfile[] out = new ColumnProfile[features.size()];
    for (Map.Entry<Long, ColumnProfile[]> d : byDay.entrySet()) {
      if (range.contains(d.getKey())) {
        for (int f = 0; f < out.length; f++) {
          ColumnProfile p = d.getValue()[f];
          if (p != null) {
            out[f] = out[f] == null ? p : out[f].merge(p);
          }
        }
      }
    }
    return out;
  }

  /** Rows (nulls included) of the days of {@code range}: the count of the first feature's profile. */
  public long count(DayRange range) {
    if (features.isEmpty()) {
      return 0;
    }
    ColumnProfile first = merged(range)[0];
    return first == null ? 0 : first.count();
  }

  /** Every (feature, day) profile held, by day, then feature. */
  public List<DayProfile> dayProfiles() {
    List<DayProfile> out = new ArrayList<>();
    for (Map.Entry<Long, ColumnProfile[]> d : byDay.entrySet()) {
      LocalDate day = LocalDate.ofEpochDay(d.getKey());
      for (int f = 0; f < features.size(); f++) {
        if (d.getValue()[f] != null) {
          out.add(new DayProfile(features.get(f).name(), day, d.getValue()[f]));
        }
      }
    }
    return out;
  }
}
