package dev.strata.monitoring.drift;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * How often each category occurs in a sample, and how many values are null: all that exact
 * categorical drift needs of a sample. Immutable; the categories are sorted (String order, as
 * Python's {@code sorted()}) and each occurs once.
 *
 * <p>Built without an object per value: a {@link Builder} keeps one index entry per distinct
 * category and a primitive count array, so counting millions of rows allocates nothing per row.
 */
public final class CategoryCounts {
  private final String[] categories;
  private final long[] counts;
  private final long nulls;
  private final long nonNull;

  private CategoryCounts(String[] categories, long[] counts, long nulls) {
    this.categories = categories;
    this.counts = counts;
    this.nulls = nulls;
    long n = 0;
    for (long c : counts) {
      n += c;
    }
    this.nonNull = n;
  }

  /** The counts of {@code values}; a null element is a null value. */
  public static CategoryCounts of(String[] values) {
    Builder b = builder();
    for (String v : values) {
      b.add(v);
    }
    return b.build();
  }

  /**
   * Counts already made elsewhere (a dictionary-encoded column): {@code counts[i]} occurrences of
   * {@code categories[i]}. Categories with a count of zero are left out (they are not in the
   * sample); a category given twice, or a negative count, is an error.
   */
  public static CategoryCounts of(String[] categories, long[] counts, long nulls) {
    if (categories.length != counts.length) {
      throw new IllegalArgumentException(String.format(java.util.Locale.ROOT,
          "Cannot count categories: %d categories but %d counts", categories.length, counts.length));
    }
    Builder b = builder();
    for (int i = 0; i < categories.length; i++) {
      if (counts[i] < 0 || categories[i] == null) {
        throw new IllegalArgumentException("Cannot count categories: a count is negative or a category is null");
      }
      if (counts[i] > 0) {
        if (b.index.containsKey(categories[i])) {
          throw new IllegalArgumentException("Cannot count categories: '" + categories[i] + "' is given twice");
        }
        b.add(categories[i], counts[i]);
      }
    }
    b.addNulls(nulls);
    return b.build();
  }

  /** From a map of category → count (sketch estimates), every key a category. */
  static CategoryCounts of(Map<String, Long> counts, long nulls) {
    Builder b = builder();
    counts.forEach(b::add);
    b.addNulls(nulls);
    return b.build();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Distinct non-null categories. */
  public int size() {
    return categories.length;
  }

  /** The {@code i}-th category in sorted order. */
  public String category(int i) {
    return categories[i];
  }

  /** The count of the {@code i}-th category in sorted order. */
  public long count(int i) {
    return counts[i];
  }

  /** Null values. */
  public long nulls() {
    return nulls;
  }

  /** Non-null values: the sum of the counts. */
  public long nonNull() {
    return nonNull;
  }

  /** Index of {@code category} in sorted order, or a negative number when absent. */
  int indexOf(String category) {
    return Arrays.binarySearch(categories, category);
  }

  /** Accumulates counts; not thread-safe. */
  public static final class Builder {
    private final Map<String, Integer> index = new HashMap<>();
    private String[] names = new String[16];
    private long[] counts = new long[16];
    private long nulls;

    private Builder() {}

    /** One occurrence of {@code value}, or one null. */
    public Builder add(String value) {
      return add(value, 1);
    }

    /** {@code n} occurrences of {@code value} (or {@code n} nulls when it is null). */
    public Builder add(String value, long n) {
      if (value == null) {
        return addNulls(n);
      }
      Integer i = index.get(value);
      if (i == null) {
        i = index.size();
        if (i == names.length) {
          names = Arrays.copyOf(names, i * 2);
          counts = Arrays.copyOf(counts, i * 2);
        }
        names[i] = value;
        index.put(value, i);
      }
      counts[i] += n;
      return this;
    }

    public Builder addNulls(long n) {
      nulls += n;
      return this;
    }

    public CategoryCounts build() {
      int n = index.size();
      // sort category indices by name, then lay names and counts out in that order
      String[] sorted = Arrays.copyOf(names, n);
      Arrays.sort(sorted);
      long[] sortedCounts = new long[n];
      for (int k = 0; k < n; k++) {
        sortedCounts[k] = counts[index.get(sorted[k])];
      }
      return new CategoryCounts(sorted, sortedCounts, nulls);
    }
  }
}
