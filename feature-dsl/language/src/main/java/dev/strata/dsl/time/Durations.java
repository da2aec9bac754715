package dev.strata.dsl.time;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations and instants as microseconds, the unit of time everywhere in Strata. */
public final class Durations {
  public static final long SECOND = 1_000_000L;
  public static final long MINUTE = 60 * SECOND;
  public static final long HOUR = 60 * MINUTE;
  public static final long DAY = 24 * HOUR;

  private static final Pattern DURATION = Pattern.compile("(\\d+)(s|m|h|d)");

  private Durations() {}

  /**
   * True when {@code text} is a duration such as {@code 30s}, {@code 15m}, {@code 1h}, {@code 7d}
   * that {@link #parseMicros} reads: positive, and at most {@link Long#MAX_VALUE} microseconds.
   */
  public static boolean isDuration(String text) {
    try {
      parseMicros(text);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * Parses {@code 30s}, {@code 15m}, {@code 1h}, {@code 7d} into microseconds.
   *
   * @throws IllegalArgumentException when the text is not a positive duration or its
   *     microseconds do not fit a {@code long}
   */
  public static long parseMicros(String text) {
    Matcher m = DURATION.matcher(text == null ? "" : text.trim());
    if (!m.matches()) {
      throw new IllegalArgumentException(
          "Cannot parse duration '" + text + "': expected a number and a unit s, m, h or d, e.g. 15m or 7d");
    }
    long unit =
        switch (m.group(2)) {
          case "s" -> SECOND;
          case "m" -> MINUTE;
          case "h" -> HOUR;
          default -> DAY;
        };
    String digits = m.group(1).replaceFirst("^0+(?=.)", "");
    long n;
    try {
      n = digits.length() > 19 ? Long.MAX_VALUE : Long.parseLong(digits);
    } catch (NumberFormatException e) {
      n = Long.MAX_VALUE; // 19 digits above Long.MAX_VALUE
    }
    if (n <= 0) {
      throw new IllegalArgumentException("Cannot parse duration '" + text + "': it must be positive");
    }
    if (n > Long.MAX_VALUE / unit) {
      throw new IllegalArgumentException("Cannot parse duration '" + text + "': it is too long (at most "
          + Long.MAX_VALUE / unit + m.group(2) + ")");
    }
    return n * unit;
  }

  /** The largest unit that divides {@code micros}: 86400000000 is {@code 1d}, 5400000000 is {@code 90m}. */
  public static String format(long micros) {
    if (micros % DAY == 0) {
      return micros / DAY + "d";
    } else if (micros % HOUR == 0) {
      return micros / HOUR + "h";
    } else if (micros % MINUTE == 0) {
      return micros / MINUTE + "m";
    } else if (micros % SECOND == 0) {
      return micros / SECOND + "s";
    }
    return micros + "us";
  }

  /** Rounds {@code t} down to a multiple of {@code step} (towards minus infinity). */
  public static long floor(long t, long step) {
    return Math.floorDiv(t, step) * step;
  }

  public static long toMicros(Instant instant) {
    return Math.addExact(
        Math.multiplyExact(instant.getEpochSecond(), SECOND), instant.getNano() / 1_000L);
  }

  public static Instant toInstant(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, SECOND), Math.floorMod(micros, SECOND) * 1_000L);
  }

  /** ISO-8601 UTC text of an instant in microseconds, e.g. {@code 2001-01-01T00:47:00Z}. */
  public static String formatInstant(long micros) {
    return DateTimeFormatter.ISO_INSTANT.format(toInstant(micros));
  }

  /**
   * Parses an instant: ISO-8601 with or without offset ({@code 2001-01-01T00:47:00Z}, {@code
   * 2001-01-01T00:47}), a date ({@code 2001-01-01}, midnight UTC), or the flights data's {@code
   * 2001/01/01 00:47}. Times without an offset are UTC. Instants beyond what a {@code long} of
   * microseconds holds saturate to {@link Long#MIN_VALUE} or {@link Long#MAX_VALUE}; callers at an
   * input's edge check the result against {@link TimeDomain}, which excludes both.
   */
  public static long parseInstant(String text) {
    String s = text.trim();
    Instant instant;
    try {
      if (s.length() == 10 && s.charAt(4) == '-') {
        instant = LocalDate.parse(s).atStartOfDay(ZoneOffset.UTC).toInstant();
      } else {
        String iso = s.replace('/', '-').replace(' ', 'T');
        if (iso.endsWith("Z") || iso.matches(".*[+-]\\d\\d:\\d\\d$")) {
          instant = OffsetDateTime.parse(iso).toInstant();
        } else {
          instant = LocalDateTime.parse(iso).toInstant(ZoneOffset.UTC);
        }
      }
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException(
          "Cannot parse time '" + text + "': expected ISO-8601 such as 2001-01-01 or 2001-01-01T00:47:00Z", e);
    }
    try {
      return toMicros(instant);
    } catch (ArithmeticException e) {
      return instant.getEpochSecond() < 0 ? Long.MIN_VALUE : Long.MAX_VALUE;
    }
  }

  /** Midnight UTC of the day containing {@code micros}. */
  public static long startOfDay(long micros) {
    return toMicros(toInstant(micros).truncatedTo(ChronoUnit.DAYS));
  }
}
