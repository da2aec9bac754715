package dev.strata.online;

import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.time.Durations;
import java.nio.charset.StandardCharsets;
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
 * <p>Blocks are the dyadic roll-ups of a spec's tiles that {@link TileGeometry} defines: a block
 * of level k spans {@code hop * 2^k} and starts at a multiple of its span (level 0 is the tile
 * itself). A window {@code [a, now)} then reads O(log(W / hop)) blocks instead of W / hop tiles: 7d
 * of 1h tiles is about 8 fields, not 168. Which blocks exist and which a read needs is the
 * geometry's to say; this class only names them.
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

  /** What the fields of blocks of {@code span} of tiles of {@code hop} start with: {@code <hop>:<span>:}. */
  static byte[] blockPrefix(long hopMicros, long spanMicros) {
    return (Durations.format(hopMicros) + ":" + Durations.format(spanMicros) + ":").getBytes(StandardCharsets.UTF_8);
  }

  /**
   * {@link #fieldBytes} from the block's {@link #blockPrefix}: the same bytes without formatting
   * durations (a stream write names a dozen blocks per changed tile).
   */
  static byte[] fieldBytes(byte[] blockPrefix, long startMicros) {
    byte[] seconds = Long.toString(Math.floorDiv(startMicros, Durations.SECOND)).getBytes(StandardCharsets.US_ASCII);
    byte[] out = java.util.Arrays.copyOf(blockPrefix, blockPrefix.length + seconds.length);
    System.arraycopy(seconds, 0, out, blockPrefix.length, seconds.length);
    return out;
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
}
