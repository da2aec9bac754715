package dev.strata.dsl.plan;

import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.Window;

/**
 * How fresh a feature group's data is expected to be: the one rule that {@code strata status},
 * the staleness gauges and served feature statuses share.
 *
 * <ul>
 *   <li>The expectation is the group's declared {@code freshness:} when it has one. Otherwise it
 *       is the group's smallest finite window, clamped to [1 hour, 1 day] (1 day for a group of
 *       lifetime windows only): a 1-hour window is useless with day-old data; a 30-day window
 *       changes little in a day.
 *   <li>Online (Redis, fed by materialize or the stream) is stale when the instant it is
 *       materialized to lags {@code now} by more than the expectation.
 *   <li>Offline (Iceberg, fed by the daily backfill through yesterday) is stale when its last day
 *       done ends more than one day plus the expectation before {@code now}: a daily job through
 *       yesterday leaves up to a day of lag by design.
 * </ul>
 */
public final class Freshness {
  static final long MIN = Durations.HOUR;
  static final long MAX = Durations.DAY;

  private Freshness() {}

  /** The group's expected freshness, in microseconds: declared, or derived from its windows. */
  public static long expectedMicros(CompiledGroup group) {
    return group.freshnessMicros() != null ? group.freshnessMicros() : derivedMicros(group);
  }

  /** True when the group declares its freshness rather than taking the default. */
  public static boolean declared(CompiledGroup group) {
    return group.freshnessMicros() != null;
  }

  /** The default expectation of a group that declares none: from its smallest finite window. */
  public static long derivedMicros(CompiledGroup group) {
    long smallest = Long.MAX_VALUE;
    for (CompiledFeature f : group.features()) {
      Window w = f.window();
      if (w != null && !w.isLifetime()) {
        smallest = Math.min(smallest, w.micros());
      }
    }
    return smallest == Long.MAX_VALUE ? MAX : Math.max(MIN, Math.min(MAX, smallest));
  }

  /** True when an online store materialized to {@code reachedMicros} is stale at {@code nowMicros}. */
  public static boolean onlineStale(CompiledGroup group, long reachedMicros, long nowMicros) {
    return nowMicros - reachedMicros > expectedMicros(group);
  }

  /** True when offline data covered up to {@code coveredToMicros} (exclusive) is stale at {@code nowMicros}. */
  public static boolean offlineStale(CompiledGroup group, long coveredToMicros, long nowMicros) {
    return nowMicros - coveredToMicros > Durations.DAY + expectedMicros(group);
  }
}
