package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Seeded generators of nasty inputs: NULLs, duplicates, equal times, NaN, infinities, huge longs. */
final class Gen {
  record Event(Object value, long time) {}

  private static final double[] SPECIAL_DOUBLES = {
    Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, 0.0, Double.MIN_VALUE,
    -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE, 0.1, 0.2, 0.3, 1e300,
    -1e300, 1e-300, 0x1p53, 0x1p53 + 2, 1e16, Double.longBitsToDouble(0x7ff8000000000123L)
  };
  private static final long[] SPECIAL_LONGS = {
    Long.MIN_VALUE, Long.MAX_VALUE, Long.MIN_VALUE + 1, Long.MAX_VALUE - 1, 1L << 53, (1L << 53) + 1,
    3037000499L, 3037000500L, -3037000500L, 1L << 62, -(1L << 62)
  };
  private static final String[] STRINGS = {
    "", "a", "b", "ab", "ba", "é", "\uD83D\uDE00", "\uFFFF", "\uE000", "a\u0000", "zzz"
  };

  private Gen() {}

  static Object value(DataType type, Random rnd) {
    if (type == null) {
      return Boolean.TRUE; // count(*) marker
    } else if (type == DataType.BOOLEAN) {
      return rnd.nextBoolean();
    } else if (type == DataType.LONG) {
      int pick = rnd.nextInt(10);
      if (pick < 4) {
        return (long) rnd.nextInt(11) - 5;
      } else if (pick < 7) {
        return (long) rnd.nextInt(2_000_000_000) - 1_000_000_000;
      } else if (pick < 9) {
        return rnd.nextLong();
      }
      return SPECIAL_LONGS[rnd.nextInt(SPECIAL_LONGS.length)];
    } else if (type == DataType.TIMESTAMP) {
      return rnd.nextInt(4) == 0
          ? 978_307_200_000_000L + rnd.nextInt(5)
          : 978_307_200_000_000L + (long) (rnd.nextDouble() * 3e13);
    } else if (type == DataType.DOUBLE) {
      int pick = rnd.nextInt(20);
      if (pick < 7) {
        return (double) (rnd.nextInt(11) - 5);
      } else if (pick < 12) {
        return Math.round((rnd.nextDouble() - 0.5) * 2e6) / 100.0;
      } else if (pick < 15) {
        return (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(40) - 20);
      } else if (pick < 17) {
        return Double.longBitsToDouble(rnd.nextLong());
      } else if (pick < 19) {
        // the specials, without NaN and the infinities so that many sums stay finite
        return SPECIAL_DOUBLES[3 + rnd.nextInt(SPECIAL_DOUBLES.length - 4)];
      }
      return SPECIAL_DOUBLES[rnd.nextInt(SPECIAL_DOUBLES.length)];
    } else if (type == DataType.STRING) {
      if (rnd.nextInt(3) > 0) {
        return STRINGS[rnd.nextInt(STRINGS.length)];
      }
      StringBuilder sb = new StringBuilder();
      int length = rnd.nextInt(5);
      for (int i = 0; i < length; i++) {
        sb.append((char) ('a' + rnd.nextInt(4)));
      }
      return sb.toString();
    }
    throw new IllegalArgumentException("no generator for " + type);
  }

  static long time(Random rnd) {
    int pick = rnd.nextInt(10);
    if (pick < 6) {
      return rnd.nextInt(12); // many equal times
    } else if (pick < 9) {
      return 978_307_200_000_000L + rnd.nextInt(1_000_000_000);
    }
    return rnd.nextBoolean() ? rnd.nextLong() : (rnd.nextBoolean() ? Long.MIN_VALUE : Long.MAX_VALUE);
  }

  static List<Event> events(DataType type, Random rnd, int maxSize) {
    int size = rnd.nextInt(maxSize + 1);
    List<Event> events = new ArrayList<>(size);
    for (int i = 0; i < size; i++) {
      Object value = type != null && rnd.nextInt(6) == 0 ? null : value(type, rnd);
      events.add(new Event(value, time(rnd)));
    }
    return events;
  }
}
