package dev.strata.monitoring.profile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;
import org.apache.datasketches.quantilescommon.QuantileSearchCriteria;

/**
 * The profile of one column over one slice. Immutable: {@link #merge} returns a new profile,
 * and the sketches handed out are copies, so a profile can be shared across threads.
 *
 * <p>Moments are kept as (n, mean, M2) and merged with Chan et al.'s parallel formula, which
 * stays accurate where Σx and Σx² would cancel.
 */
public final class ColumnProfile {
  /** Default KLL k: normalized rank error about 1.3% (single rank, 99% confidence). */
  public static final int DEFAULT_K = 200;
  /** Frequent items map size: exact counts up to 0.75 × this many distinct values. */
  public static final int DEFAULT_MAX_MAP_SIZE = 4096;

  private static final byte FORMAT_VERSION = 1;
  private static final ArrayOfStringsSerDe STRINGS = new ArrayOfStringsSerDe();

  /** What the column holds. */
  public enum Kind {
    NUMERIC,
    CATEGORICAL
  }

  private final String column;
  private final Kind kind;
  private final long count;
  private final long nulls;
  private final double min;
  private final double max;
  private final double mean;
  private final double m2;
  private final byte[] kll;
  private final byte[] items;

  ColumnProfile(String column, Kind kind, long count, long nulls, double min, double max,
      double mean, double m2, byte[] kll, byte[] items) {
    this.column = column;
    this.kind = kind;
    this.count = count;
    this.nulls = nulls;
    this.min = min;
    this.max = max;
    this.mean = mean;
    this.m2 = m2;
    this.kll = kll;
    this.items = items;
  }

  public static ColumnProfileBuilder numeric(String column) {
    return new ColumnProfileBuilder(column, Kind.NUMERIC);
  }

  public static ColumnProfileBuilder categorical(String column) {
    return new ColumnProfileBuilder(column, Kind.CATEGORICAL);
  }

  public String column() {
    return column;
  }

  public Kind kind() {
    return kind;
  }

  /** Rows, nulls included. */
  public long count() {
    return count;
  }

  public long nulls() {
    return nulls;
  }

  public long nonNull() {
    return count - nulls;
  }

  /** Smallest value (numeric columns), NaN when there is none. */
  public double min() {
    return min;
  }

  public double max() {
    return max;
  }

  public double mean() {
    return nonNull() == 0 ? Double.NaN : mean;
  }

  /** Sample standard deviation (n − 1), NaN below two values. */
  public double stddev() {
    long n = nonNull();
    return kind == Kind.NUMERIC && n > 1 ? Math.sqrt(m2 / (n - 1)) : Double.NaN;
  }

  /** A copy of the KLL sketch of the non-null values; numeric columns only. */
  public KllDoublesSketch quantileSketch() {
    require(Kind.NUMERIC, "quantile sketch");
    return KllDoublesSketch.heapify(Memory.wrap(kll));
  }

  /** A copy of the frequent-items sketch of the non-null values; categorical columns only. */
  public ItemsSketch<String> frequentItemsSketch() {
    require(Kind.CATEGORICAL, "frequent items");
    return ItemsSketch.getInstance(Memory.wrap(items), STRINGS);
  }

  /** Approximate quantile (KLL, inclusive), NaN when there are no values. */
  public double quantile(double rank) {
    KllDoublesSketch s = quantileSketch();
    return s.isEmpty() ? Double.NaN : s.getQuantile(rank, QuantileSearchCriteria.INCLUSIVE);
  }

  /** The most frequent values and their estimated counts, most frequent first. */
  public Map<String, Long> topItems(int limit) {
    ItemsSketch.Row<String>[] rows = frequentItemsSketch().getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
    Map<String, Long> out = new LinkedHashMap<>();
    for (int i = 0; i < rows.length && i < limit; i++) {
      out.put(rows[i].getItem(), rows[i].getEstimate());
    }
    return out;
  }

  /** The profile of both slices together (e.g. seven days into a week). */
  public ColumnProfile merge(ColumnProfile other) {
    if (!column.equals(other.column) || kind != other.kind) {
      throw new IllegalArgumentException(String.format(Locale.ROOT,
          "Cannot merge profiles: %s column '%s' with %s column '%s'", kind, column, other.kind, other.column));
    }
    long na = nonNull();
    long nb = other.nonNull();
    long n = na + nb;
    double newMean = mean;
    double newM2 = m2;
    if (kind == Kind.CATEGORICAL || nb == 0) {
      // nothing to combine: categorical moments are NaN, an empty side adds nothing
    } else if (na == 0) {
      newMean = other.mean;
      newM2 = other.m2;
    } else if (nb > 0) {
      double delta = other.mean - mean;
      newMean = mean + delta * nb / n;
      newM2 = m2 + other.m2 + delta * delta * ((double) na * nb / n);
    }
    byte[] newKll = kll;
    byte[] newItems = items;
    if (kind == Kind.NUMERIC) {
      KllDoublesSketch s = quantileSketch();
      s.merge(other.quantileSketch());
      newKll = s.toByteArray();
    } else {
      newItems = frequentItemsSketch().merge(other.frequentItemsSketch()).toByteArray(STRINGS);
    }
    return new ColumnProfile(column, kind, count + other.count, nulls + other.nulls,
        nanMin(min, other.min), nanMax(max, other.max), newMean, newM2, newKll, newItems);
  }

  // NaN marks "no values" here, so it must lose against any value
  private static double nanMin(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.min(a, b);
  }

  private static double nanMax(double a, double b) {
    return Double.isNaN(a) ? b : Double.isNaN(b) ? a : Math.max(a, b);
  }

  /** Compact binary form: a version byte, the numbers, then the sketch's own serialization. */
  public byte[] toBytes() {
    byte[] name = column.getBytes(StandardCharsets.UTF_8);
    byte[] sketch = kind == Kind.NUMERIC ? kll : items;
    ByteBuffer b = ByteBuffer.allocate(1 + 1 + 4 + name.length + 8 * 6 + 4 + sketch.length);
    b.put(FORMAT_VERSION).put((byte) kind.ordinal()).putInt(name.length).put(name);
    b.putLong(count).putLong(nulls).putDouble(min).putDouble(max).putDouble(mean).putDouble(m2);
    b.putInt(sketch.length).put(sketch);
    return b.array();
  }

  public static ColumnProfile fromBytes(byte[] bytes) {
    try {
      ByteBuffer b = ByteBuffer.wrap(bytes);
      byte version = b.get();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException("Cannot read profile: unknown format version " + version);
      }
      Kind kind = Kind.values()[b.get()];
      byte[] name = new byte[b.getInt()];
      b.get(name);
      long count = b.getLong();
      long nulls = b.getLong();
      double min = b.getDouble();
      double max = b.getDouble();
      double mean = b.getDouble();
      double m2 = b.getDouble();
      byte[] sketch = new byte[b.getInt()];
      b.get(sketch);
      return new ColumnProfile(new String(name, StandardCharsets.UTF_8), kind, count, nulls, min,
          max, mean, m2, kind == Kind.NUMERIC ? sketch : null, kind == Kind.CATEGORICAL ? sketch : null);
    } catch (java.nio.BufferUnderflowException | NegativeArraySizeException | ArrayIndexOutOfBoundsException e) {
      throw new IllegalArgumentException("Cannot read profile: truncated or corrupt bytes", e);
    }
  }

  /** {@link #toBytes} as base64, for JSON and text columns. */
  public String toBase64() {
    return Base64.getEncoder().encodeToString(toBytes());
  }

  public static ColumnProfile fromBase64(String text) {
    return fromBytes(Base64.getDecoder().decode(text));
  }

  private void require(Kind expected, String what) {
    if (kind != expected) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "Cannot get %s of column '%s': it is %s", what, column, kind.name().toLowerCase(Locale.ROOT)));
    }
  }

  @Override
  public String toString() {
    return String.format(Locale.ROOT, "ColumnProfile{%s %s count=%d nulls=%d min=%s max=%s mean=%s sd=%s}",
        column, kind, count, nulls, min, max, mean(), stddev());
  }
}
