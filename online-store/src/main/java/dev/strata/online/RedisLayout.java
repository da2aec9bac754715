package dev.strata.online;

import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.TileSpec;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.Window;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The Redis layout of online tiles, format {@code v1}.
 *
 * <p>One hash per (group, group version, entity key):
 *
 * <pre>
 *   key    &lt;prefix&gt;:v1:{&lt;entity key&gt;}:&lt;group&gt;:&lt;version&gt;   e.g. strata:v1:{ORD}:origin_delays:3fa2c9d01b7e
 *   field  &lt;hop&gt;:&lt;block&gt;:&lt;start&gt;                              e.g. 1h:8h:978307200
 *   value  RowAggregator encoding of the tile spec's IRs over [start, start + block)
 *   field  @t                                              latest event time (decimal micros)
 * </pre>
 *
 * <p>The entity key is its values joined by {@code ','}, each percent-escaped for {@code % , { }
 * :} and control characters, so the hash tag {@code {...}} keeps one entity's groups in one
 * cluster slot. {@code hop} and {@code block} are durations ({@code 1h}, {@code 8h}); {@code
 * start} is the block's start in epoch seconds.
 *
 * <p>Blocks are dyadic roll-ups of a spec's tiles: a block of level k spans {@code hop * 2^k}
 * and starts at a multiple of its span (level 0 is the tile itself). A window {@code [a, now)}
 * then reads O(log(W / hop)) blocks instead of W / hop tiles: 7d of 1h tiles is about 8 fields,
 * not 168. Levels go up to the largest span not above the spec's largest window; specs with a
 * lifetime feature go up to {@link #LIFETIME_LEVELS} so that {@code [epoch, now)} stays a handful
 * of blocks.
 */
public final class RedisLayout {
  public static final String FORMAT = "v1";
  public static final String DEFAULT_PREFIX = "strata";
  /** The field holding the latest event time of the key's data in the group, decimal micros. */
  public static final String LATEST_FIELD = "@t";
  static final byte[] LATEST_FIELD_BYTES = LATEST_FIELD.getBytes(StandardCharsets.UTF_8);
  /**
   * The value of {@link #LATEST_FIELD}: decimal ASCII micros, read without a String (a 100-row
   * read parses 500 of them).
   *
   * @throws OnlineStoreException when the bytes are not a decimal long
   */
  static long parseLatest(byte[] bytes) {
    try {
      return decimal(bytes, 0, bytes.length);
    } catch (NumberFormatException e) {
      throw badLatest(bytes);
    }
  }

  /** The decimal ASCII long in {@code bytes[from, to)}. */
  private static long decimal(byte[] bytes, int from, int to) {
    int i = from;
    boolean negative = to > from && bytes[from] == '-';
    if (negative) {
      i++;
    }
    if (i >= to || to - i > 19) {
      throw new NumberFormatException();
    }
    long value = 0;
    for (; i < to; i++) {
      int digit = bytes[i] - '0';
      if (digit < 0 || digit > 9) {
        throw new NumberFormatException();
      }
      // accumulate negatively: Long.MIN_VALUE has no positive twin
      if (value < Long.MIN_VALUE / 10 || value * 10 < Long.MIN_VALUE + digit) {
        throw new NumberFormatException();
      }
      value = value * 10 - digit;
    }
    if (!negative && value == Long.MIN_VALUE) {
      throw new NumberFormatException();
    }
    return negative ? value : -value;
  }

  private static OnlineStoreException badLatest(byte[] bytes) {
    return new OnlineStoreException("Cannot read the latest event time of a key: '"
        + new String(bytes, StandardCharsets.US_ASCII) + "' is not a decimal number of microseconds", null);
  }

  /** Most levels of specs with a lifetime window (fewer for hops so large that spans would overflow). */
  static final int LIFETIME_LEVELS = 40;

  private final String prefix;

  public RedisLayout(String prefix) {
    Objects.requireNonNull(prefix, "prefix");
    if (prefix.isEmpty() || prefix.contains("{") || prefix.contains("}")) {
      throw new IllegalArgumentException("Cannot use key prefix '" + prefix + "': it must be non-empty without braces");
    }
    this.prefix = prefix;
  }

  public static RedisLayout standard() {
    return new RedisLayout(DEFAULT_PREFIX);
  }

  public String prefix() {
    return prefix;
  }

  /** The hash of one entity key in one group version. */
  public String key(CompiledGroup group, List<Object> entityKey) {
    return prefix + ":" + FORMAT + ":{" + encodeEntity(entityKey) + "}:" + group.name() + ":" + group.version();
  }

  public byte[] keyBytes(CompiledGroup group, List<Object> entityKey) {
    return key(group, entityKey).getBytes(StandardCharsets.UTF_8);
  }

  /** The entity key's values joined by ',' with {@code % , { } :} and control characters escaped. */
  public static String encodeEntity(List<Object> entityKey) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < entityKey.size(); i++) {
      Object v = entityKey.get(i);
      if (v == null) {
        throw new IllegalArgumentException("Cannot encode entity key " + entityKey + ": it has a NULL value");
      }
      if (i > 0) {
        sb.append(',');
      }
      String s = v.toString();
      for (int j = 0; j < s.length(); j++) {
        char c = s.charAt(j);
        if (c < 0x20 || c == 0x7f || c == '%' || c == ',' || c == '{' || c == '}' || c == ':') {
          sb.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
        } else {
          sb.append(c);
        }
      }
    }
    return sb.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  /** The field of the block of {@code spec}'s tiles spanning {@code span} from {@code start}. */
  public static String field(long hopMicros, long spanMicros, long startMicros) {
    return Durations.format(hopMicros) + ":" + Durations.format(spanMicros) + ":" + Math.floorDiv(startMicros, Durations.SECOND);
  }

  static byte[] fieldBytes(long hopMicros, long spanMicros, long startMicros) {
    return field(hopMicros, spanMicros, startMicros).getBytes(StandardCharsets.UTF_8);
  }

  /** A parsed field: the tile spec's hop, the block span and start (micros); null for other fields. */
  public record Block(long hopMicros, long spanMicros, long startMicros) {
    public long end() {
      return startMicros + spanMicros;
    }
  }

  /** What every block field of tiles of this hop starts with. */
  static byte[] hopPrefix(long hopMicros) {
    return (Durations.format(hopMicros) + ":").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * The start (micros) of a block field of the hop whose {@link #hopPrefix} is given, read from the
   * field's bytes without a String (trimming reads every field of a hash); {@code Long.MIN_VALUE}
   * for fields of other hops and fields that are not blocks.
   */
  static long blockStart(byte[] field, byte[] hopPrefix) {
    int p = hopPrefix.length;
    if (field.length <= p || !java.util.Arrays.equals(field, 0, p, hopPrefix, 0, p)) {
      return Long.MIN_VALUE;
    }
    int colon = p;
    while (colon < field.length && field[colon] != ':') {
      colon++;
    }
    try {
      return colon == p || colon == field.length ? Long.MIN_VALUE : Math.multiplyExact(decimal(field, colon + 1, field.length), Durations.SECOND);
    } catch (NumberFormatException | ArithmeticException e) {
      return Long.MIN_VALUE;
    }
  }

  public static Block parseField(String field) {
    String[] parts = field.split(":", -1);
    if (parts.length != 3) {
      return null;
    }
    try {
      return new Block(Durations.parseMicros(parts[0]), Durations.parseMicros(parts[1]),
          Math.multiplyExact(Long.parseLong(parts[2]), Durations.SECOND));
    } catch (IllegalArgumentException | ArithmeticException e) {
      return null;
    }
  }

  /** The number of roll-up levels (level 0 = the tiles) of a spec of {@code group}. */
  public static int levels(CompiledGroup group, TileSpec spec) {
    Window widest = widestWindow(group, spec);
    if (widest.isLifetime()) {
      // Spans stay far below Long.MAX_VALUE micros (2^62 us is 146,000 years).
      int fit = 62 - (64 - Long.numberOfLeadingZeros(spec.hopMicros()));
      return Math.min(LIFETIME_LEVELS, fit) + 1;
    }
    long ratio = Math.max(1, widest.micros() / spec.hopMicros());
    return 64 - Long.numberOfLeadingZeros(ratio); // floor(log2(ratio)) + 1
  }

  /** The widest window of the features a spec's tiles serve. */
  public static Window widestWindow(CompiledGroup group, TileSpec spec) {
    Window widest = null;
    for (CompiledFeature f : group.features()) {
      if (f.hopMicros() == spec.hopMicros() && (widest == null || f.window().compareTo(widest) > 0)) {
        widest = f.window();
      }
    }
    return widest == null ? Window.of(spec.hopMicros()) : widest;
  }

  /**
   * Aligned blocks (start, span) covering {@code [from, to)} exactly, fewest first-fit: at each
   * position the largest block that is aligned there and ends by {@code to}. With {@code
   * openEnd}, the last block may run past {@code to} (nothing is stored after now, so it holds
   * the same events): one block instead of up to log2 of them.
   */
  static void cover(long from, long to, long hop, int levels, boolean openEnd, List<long[]> out) {
    long p = from;
    while (p < to) {
      int best = 0;
      int covering = -1;
      for (int k = 0; k < levels; k++) {
        long span = hop << k;
        if (Math.floorMod(p, span) != 0) {
          break;
        }
        if (p + span <= to) {
          best = k;
        }
        if (openEnd && covering < 0 && p + span >= to) {
          covering = k;
        }
      }
      if (covering >= 0) {
        out.add(new long[] {p, hop << covering});
        return;
      }
      out.add(new long[] {p, hop << best});
      p += hop << best;
    }
  }

  /**
   * The blocks a read of {@code spec} as of {@code t} needs: the window starts of the spec's
   * features as of t cut {@code [earliest start, t)} into segments, and each segment is covered by
   * aligned blocks, so that every feature's window is a union of whole blocks. Returns {start,
   * span} pairs in time order.
   */
  public static List<long[]> blocksAsOf(CompiledGroup group, TileSpec spec, long t) {
    long hop = spec.hopMicros();
    int levels = levels(group, spec);
    List<Long> cuts = new ArrayList<>();
    for (CompiledFeature f : group.features()) {
      if (f.hopMicros() == hop) {
        long s = f.window().isLifetime() ? 0L : f.window().startAsOf(t, hop);
        if (!cuts.contains(s)) {
          cuts.add(s);
        }
      }
    }
    cuts.sort(null);
    long end = Durations.floor(t, hop) + (Math.floorMod(t, hop) == 0 ? 0 : hop);
    List<long[]> out = new ArrayList<>();
    for (int i = 0; i < cuts.size(); i++) {
      long from = cuts.get(i);
      boolean last = i == cuts.size() - 1;
      long to = last ? end : cuts.get(i + 1);
      cover(from, to, hop, levels, last, out);
    }
    return out;
  }
}
