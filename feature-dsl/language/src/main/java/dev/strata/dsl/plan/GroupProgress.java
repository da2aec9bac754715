package dev.strata.dsl.plan;

import dev.strata.dsl.time.Durations;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * What the job ledger knows of one target (a feature group, or a monitor) at one moment: the
 * instant its online values are current to and when each job last succeeded on it. Built from the
 * registry by {@code dev.strata.dsl.registry.JobProgress}, read by {@code strata status} and the
 * feature server's gauges, so staleness is computed in one place.
 *
 * @param target           the group (or monitor) name
 * @param online           true for a group served online (only those have a staleness)
 * @param onlineToMicros   the latest instant materialize or the stream recorded for the group's
 *                         current version; empty when neither ever succeeded
 * @param freshnessMicros  the group's expected freshness ({@link Freshness#expectedMicros}); 0 for a monitor
 * @param lastSuccess      job id ("backfill", "materialize", "stream", "monitor") to the end of its
 *                         newest succeeded run
 */
public record GroupProgress(String target, boolean online, OptionalLong onlineToMicros, long freshnessMicros,
                            Map<String, Instant> lastSuccess) {
  public GroupProgress {
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(onlineToMicros, "onlineToMicros");
    lastSuccess = Map.copyOf(lastSuccess);
  }

  /** {@code now − onlineTo} in microseconds; empty when the online store was never fed. */
  public OptionalLong stalenessMicros(long nowMicros) {
    return onlineToMicros.isPresent() ? OptionalLong.of(nowMicros - onlineToMicros.getAsLong()) : OptionalLong.empty();
  }

  /** {@code now − onlineTo} in seconds, +Infinity when never fed (so a "stale" alert fires), NaN offline. */
  public double stalenessSeconds(long nowMicros) {
    if (!online) {
      return Double.NaN;
    }
    OptionalLong s = stalenessMicros(nowMicros);
    return s.isPresent() ? s.getAsLong() / (double) Durations.SECOND : Double.POSITIVE_INFINITY;
  }

  /** True when the group is served online and its online values lag {@code now} by more than its freshness (or were never written). */
  public boolean onlineStale(long nowMicros) {
    return online && (onlineToMicros.isEmpty() || nowMicros - onlineToMicros.getAsLong() > freshnessMicros);
  }
}
