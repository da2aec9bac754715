package dev.strata.monitoring.monitor;

import dev.strata.monitoring.profile.ColumnProfile;
import java.time.LocalDate;
import java.util.Objects;

/** One feature's profile of one day. */
public record DayProfile(String feature, LocalDate day, ColumnProfile profile) {
  public DayProfile {
    Objects.requireNonNull(feature, "feature");
    Objects.requireNonNull(day, "day");
    Objects.requireNonNull(profile, "profile");
  }
}
