package dev.strata.monitoring.profile;

import java.util.Locale;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.kll.KllDoublesSketch;

/** Accumulates one column's values into a {@link ColumnProfile}; not thread-safe. */
public final class ColumnProfileBuilder {
  private final String column;
  private final ColumnProfile.Kind kind;
  private final KllDoublesSketch kll;
  private final ItemsSketch<String> items;
  private long count;
  private long nulls;
  private double min = Double.POSITIVE_INFINITY;
  private double max = Double.NEGATIVE_INFINITY;
  private double mean;
  private double m2;

  ColumnProfileBuilder(String column, ColumnProfile.Kind kind) {
    this.column = column;
    this.kind = kind;
    this.kll = kind == ColumnProfile.Kind.NUMERIC ? KllDoublesSketch.newHeapInstance(ColumnProfile.DEFAULT_K) : null;
    this.items = kind == ColumnProfile.Kind.CATEGORICAL ? new ItemsSketch<>(ColumnProfile.DEFAULT_MAX_MAP_SIZE) : null;
  }

  /** A numeric value; NaN counts as null. */
  public ColumnProfileBuilder add(double value) {
    requireKind(ColumnProfile.Kind.NUMERIC);
    count++;
    if (Double.isNaN(value)) {
      nulls++;
      return this;
    }
    long n = count - nulls;
    double delta = value - mean; // Welford: one pass, no cancellation
    mean += delta / n;
    m2 += delta * (value - mean);
    min = Math.min(min, value);
    max = Math.max(max, value);
    kll.update(value);
    return this;
  }

  /** A categorical value; null counts as null. */
  public ColumnProfileBuilder add(String value) {
    requireKind(ColumnProfile.Kind.CATEGORICAL);
    count++;
    if (value == null) {
      nulls++;
    } else {
      items.update(value);
    }
    return this;
  }

  public ColumnProfileBuilder addNull() {
    count++;
    nulls++;
    return this;
  }

  public ColumnProfile build() {
    boolean numeric = kind == ColumnProfile.Kind.NUMERIC;
    boolean none = count == nulls;
    return new ColumnProfile(column, kind, count, nulls,
        numeric && !none ? min : Double.NaN, numeric && !none ? max : Double.NaN,
        numeric ? mean : Double.NaN, numeric ? m2 : Double.NaN,
        numeric ? kll.toByteArray() : null,
        numeric ? null : items.toByteArray(new ArrayOfStringsSerDe()));
  }

  private void requireKind(ColumnProfile.Kind expected) {
    if (kind != expected) {
      throw new IllegalStateException(String.format(Locale.ROOT,
          "Cannot add a %s value to %s column '%s'", expected.name().toLowerCase(Locale.ROOT),
          kind.name().toLowerCase(Locale.ROOT), column));
    }
  }
}
