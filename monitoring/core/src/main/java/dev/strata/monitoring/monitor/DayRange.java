package dev.strata.monitoring.monitor;

import dev.strata.dsl.time.Durations;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A range of whole days, both ends inclusive ({@code start} ≤ {@code end}). */
public record DayRange(LocalDate start, LocalDate end) {
  public DayRange {
    Objects.requireNonNull(start, "start");
    Objects.requireNonNull(end, "end");
    if (end.isBefore(start)) {
      throw new IllegalArgumentException("Cannot make a day range: " + end + " is before " + start);
    }
  }

  public static DayRange of(LocalDate start, LocalDate end) {
    return new DayRange(start, end);
  }

  /** One day. */
  public static DayRange day(LocalDate day) {
    return new DayRange(day, day);
  }

  public boolean contains(LocalDate day) {
    return !day.isBefore(start) && !day.isAfter(end);
  }

  /** Whether the day {@code epochDay} (days since 1970-01-01) lies in the range. */
  public boolean contains(long epochDay) {
    return epochDay >= start.toEpochDay() && epochDay <= end.toEpochDay();
  }

  /** {@code 2001-03-01} for one day, {@code 2001-03-01 … 2001-03-31} for more. */
  public String label() {
    return start.equals(end) ? start.toString() : start + " \u2026 " + end;
  }

  /** Consecutive periods of {@code days} days from the start; the last may be shorter. */
  public List<DayRange> periods(int days) {
    if (days < 1) {
      throw new IllegalArgumentException("Cannot cut " + label() + " into periods of " + days + " days: give at least 1");
    }
    List<DayRange> out = new ArrayList<>();
    for (LocalDate d = start; !d.isAfter(end); d = d.plusDays(days)) {
      LocalDate last = d.plusDays(days - 1L);
      out.add(new DayRange(d, last.isAfter(end) ? end : last));
    }
    return out;
  }

  /**
   * The whole days (UTC) of the instants {@code [fromMicros, toMicros)}: the days whose start
   * lies in it, as a monitor's {@code reference} is read; empty when it holds no day start.
   */
  public static java.util.Optional<DayRange> wholeDays(long fromMicros, long toMicros) {
    LocalDate first = LocalDate.ofInstant(Durations.toInstant(Math.addExact(fromMicros, Durations.DAY - 1)), ZoneOffset.UTC);
    LocalDate last = LocalDate.ofInstant(Durations.toInstant(toMicros - 1), ZoneOffset.UTC);
    return last.isBefore(first) ? java.util.Optional.empty() : java.util.Optional.of(new DayRange(first, last));
  }

  /**
   * A monitor's {@code every} in whole days: snapshots are daily, so a period shorter than a
   * day, or not a whole number of days, rounds up; none is one day.
   */
  public static int periodDays(Long everyMicros) {
    if (everyMicros == null) {
      return 1;
    }
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, -Math.floorDiv(-everyMicros, Durations.DAY)));
  }
}
