package dev.strata.dsl.time;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * An immutable set of instants (epoch microseconds, UTC), held as sorted, disjoint, non-adjacent
 * half-open ranges {@code [start, end)}. It answers what a job has covered and what is left: the
 * days a backfill has done for a group version, the gaps a status report shows, the days the next
 * incremental run computes.
 *
 * <p>Guarantees: every range has {@code start < end}; ranges are sorted by start, never overlap and
 * never touch (touching ranges are merged), so two sets with the same instants are {@link #equals}.
 */
public final class TimeRanges {
  private static final TimeRanges EMPTY = new TimeRanges(new long[0]);

  /** start0, end0, start1, end1, ... */
  private final long[] bounds;

  private TimeRanges(long[] bounds) {
    this.bounds = bounds;
  }

  public static TimeRanges empty() {
    return EMPTY;
  }

  /** The single range {@code [start, end)}; empty if {@code end <= start}. */
  public static TimeRanges of(long startMicros, long endMicros) {
    return endMicros <= startMicros ? EMPTY : new TimeRanges(new long[] {startMicros, endMicros});
  }

  /** The whole UTC days {@code firstDay} through {@code lastDay}, both included (epoch days). */
  public static TimeRanges days(long firstEpochDay, long lastEpochDay) {
    return of(Math.multiplyExact(firstEpochDay, Durations.DAY),
        Math.multiplyExact(Math.addExact(lastEpochDay, 1), Durations.DAY));
  }

  public boolean isEmpty() {
    return bounds.length == 0;
  }

  /** The ranges, sorted, each as {@code [start, end)}. */
  public List<long[]> ranges() {
    List<long[]> out = new ArrayList<>(bounds.length / 2);
    for (int i = 0; i < bounds.length; i += 2) {
      out.add(new long[] {bounds[i], bounds[i + 1]});
    }
    return Collections.unmodifiableList(out);
  }

  public int rangeCount() {
    return bounds.length / 2;
  }

  public long start(int range) {
    return bounds[2 * range];
  }

  public long end(int range) {
    return bounds[2 * range + 1];
  }

  /** The instants in this set or in {@code other}. */
  public TimeRanges union(TimeRanges other) {
    if (other.isEmpty()) {
      return this;
    } else if (isEmpty()) {
      return other;
    }
    long[][] all = new long[rangeCount() + other.rangeCount()][];
    int n = 0;
    for (int i = 0; i < rangeCount(); i++) {
      all[n++] = new long[] {start(i), end(i)};
    }
    for (int i = 0; i < other.rangeCount(); i++) {
      all[n++] = new long[] {other.start(i), other.end(i)};
    }
    Arrays.sort(all, (a, b) -> Long.compare(a[0], b[0]));
    long[] out = new long[2 * all.length];
    int m = 0;
    for (long[] r : all) {
      if (m > 0 && r[0] <= out[m - 1]) {
        out[m - 1] = Math.max(out[m - 1], r[1]);
      } else {
        out[m++] = r[0];
        out[m++] = r[1];
      }
    }
    return new TimeRanges(Arrays.copyOf(out, m));
  }

  /** The instants in this set and not in {@code other}: what is left to do. */
  public TimeRanges minus(TimeRanges other) {
    if (isEmpty() || other.isEmpty()) {
      return this;
    }
    long[] out = new long[bounds.length + other.bounds.length];
    int m = 0;
    int j = 0;
    for (int i = 0; i < rangeCount(); i++) {
      long s = start(i);
      long e = end(i);
      while (j < other.rangeCount() && other.end(j) <= s) {
        j++;
      }
      int k = j;
      while (s < e && k < other.rangeCount() && other.start(k) < e) {
        if (other.start(k) > s) {
          out[m++] = s;
          out[m++] = other.start(k);
        }
        s = Math.max(s, other.end(k));
        k++;
      }
      if (s < e) {
        out[m++] = s;
        out[m++] = e;
      }
    }
    return new TimeRanges(Arrays.copyOf(out, m));
  }

  /** The instants in both sets. */
  public TimeRanges intersect(TimeRanges other) {
    return minus(minus(other));
  }

  /** True when every instant of {@code [start, end)} is in this set (an empty range is covered). */
  public boolean covers(long startMicros, long endMicros) {
    return of(startMicros, endMicros).minus(this).isEmpty();
  }

  /** True when this set and {@code other} share an instant. */
  public boolean overlaps(TimeRanges other) {
    return !intersect(other).isEmpty();
  }

  /** The instants covered, in microseconds (saturating at Long.MAX_VALUE). */
  public long totalMicros() {
    long total = 0;
    for (int i = 0; i < rangeCount(); i++) {
      long len = end(i) - start(i);
      total = len < 0 || total > Long.MAX_VALUE - len ? Long.MAX_VALUE : total + len;
    }
    return total;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TimeRanges t && Arrays.equals(bounds, t.bounds);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(bounds);
  }

  /** Ranges as ISO instants, e.g. {@code [2001-01-01T00:00:00Z, 2001-02-01T00:00:00Z)}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < rangeCount(); i++) {
      sb.append(i == 0 ? "" : ", ").append('[').append(Durations.formatInstant(start(i))).append(", ")
          .append(Durations.formatInstant(end(i))).append(')');
    }
    return sb.length() == 0 ? "(none)" : sb.toString();
  }
}
