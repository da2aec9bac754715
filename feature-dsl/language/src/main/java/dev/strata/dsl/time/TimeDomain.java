package dev.strata.dsl.time;

/**
 * The instants Strata stores and computes with: {@code [0001-01-01T00:00:00Z,
 * 10000-01-01T00:00:00Z)} in microseconds since the epoch, the range of Spark's and Iceberg's
 * timestamps and of four-digit ISO-8601 years.
 *
 * <p>Guarantees: an event time, a spine time or an {@code --at} instant that Strata accepts lies
 * in this range (inputs outside it are rejected where they enter: a reject with its reason, a
 * dead letter, a 400 or an error naming the bound); a window is at most {@link #MAX_WINDOW} long.
 * Together they keep every window bound, tile start and roll-up block of {@link
 * dev.strata.dsl.tile.TileGeometry} far inside a {@code long}: no arithmetic on accepted times
 * can overflow.
 */
public final class TimeDomain {
  /** 0001-01-01T00:00:00Z, the first instant of the domain. */
  public static final long MIN = -62_135_596_800_000_000L;
  /** 10000-01-01T00:00:00Z, the first instant after the domain (exclusive). */
  public static final long END = 253_402_300_800_000_000L;
  /** The longest finite window: the length of the domain (3,652,059 days). */
  public static final long MAX_WINDOW = END - MIN;

  private TimeDomain() {}

  /** True when {@code micros} lies in {@code [MIN, END)}. */
  public static boolean contains(long micros) {
    return micros >= MIN && micros < END;
  }

  /**
   * Returns {@code micros} when the domain contains it.
   *
   * @param what what the instant is, for the message (e.g. {@code "event time"})
   * @throws IllegalArgumentException naming the bounds otherwise
   */
  public static long check(long micros, String what) {
    if (!contains(micros)) {
      throw new IllegalArgumentException("Cannot use " + what + " " + describe(micros)
          + ": Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
    }
    return micros;
  }

  /** ISO text of an instant, or its microseconds when even {@link java.time.Instant} cannot hold it. */
  static String describe(long micros) {
    try {
      return Durations.formatInstant(micros);
    } catch (RuntimeException e) {
      return micros + " us since the epoch";
    }
  }
}
