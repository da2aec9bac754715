package dev.strata.dsl.time;

/**
 * A window length: a positive duration in microseconds of at most {@link TimeDomain#MAX_WINDOW},
 * or {@link #LIFETIME} (every event before t), which has no length. Where a window starts as of
 * an instant is {@link dev.strata.dsl.tile.TileGeometry}'s to say. Immutable.
 */
public record Window(long micros) implements Comparable<Window> {
  /** Every event before t: a window without a length. */
  public static final Window LIFETIME = new Window(Long.MAX_VALUE);

  public Window {
    if (micros <= 0) {
      throw new IllegalArgumentException("Cannot create window: length must be positive, got " + micros);
    }
    if (micros > TimeDomain.MAX_WINDOW && micros != Long.MAX_VALUE) {
      throw new IllegalArgumentException("Cannot create window of " + Durations.format(micros)
          + ": it is longer than Strata's time range (at most " + Durations.format(TimeDomain.MAX_WINDOW) + "; use lifetime)");
    }
  }

  /**
   * The length in microseconds.
   *
   * @throws IllegalStateException for {@link #LIFETIME}, which has no length
   */
  @Override
  public long micros() {
    if (isLifetime()) {
      throw new IllegalStateException("Cannot take the length of a lifetime window: it has none");
    }
    return micros;
  }

  public static Window of(long micros) {
    return new Window(micros);
  }

  /** Parses {@code 30s}, {@code 15m}, {@code 1h}, {@code 7d} or {@code lifetime}. */
  public static Window parse(String text) {
    if ("lifetime".equals(text)) {
      return LIFETIME;
    }
    return new Window(Durations.parseMicros(text));
  }

  public boolean isLifetime() {
    return this.micros == Long.MAX_VALUE;
  }

  /** The canonical text: the largest unit that divides the length ({@code 24h} is {@code 1d}). */
  public String text() {
    return isLifetime() ? "lifetime" : Durations.format(micros);
  }

  /**
   * The default hop (tile size) for this window: 1m for W ≤ 1h, 5m for W &lt; 12h, 1h for
   * W &lt; 12d, 1d from 12d on and for lifetime.
   */
  public long defaultHopMicros() {
    if (isLifetime()) {
      return Durations.DAY;
    }
    if (micros <= Durations.HOUR) {
      return Durations.MINUTE;
    } else if (micros < 12 * Durations.HOUR) {
      return 5 * Durations.MINUTE;
    } else if (micros < 12 * Durations.DAY) {
      return Durations.HOUR;
    }
    return Durations.DAY;
  }

  @Override
  public int compareTo(Window o) {
    return Long.compare(micros, o.micros);
  }

  @Override
  public String toString() {
    return text();
  }
}
