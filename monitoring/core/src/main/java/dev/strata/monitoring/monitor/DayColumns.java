package dev.strata.monitoring.monitor;

import dev.strata.monitoring.drift.CategoryCounts;
import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Exact mode's values: rows of (day, features…, segment columns…) held column by column in
 * primitive arrays (8 bytes a number, 4 a text value; no object per row is kept), sliced by day
 * range and by segment on demand. Numeric features hold doubles with NaN for null (timestamps as
 * microseconds); categorical features and segment columns hold codes into a dictionary of their
 * distinct values, −1 for null. Segment columns are never drifted themselves: they select the
 * rows of a segment. Not thread-safe.
 */
public final class DayColumns {
  private final List<FeatureColumn> features;
  private final List<String> segments;
  private final int width;
  private long[] days = new long[1024];
  private final double[][] numbers;
  private final int[][] codes;
  /** Per text column: value → code, and code → value. */
  private final List<Map<String, Integer>> index = new ArrayList<>();
  private final List<List<String>> dictionary = new ArrayList<>();
  private int size;

  /** Columns of {@code features} (drifted) then {@code segments} (text, for slicing only). */
  public DayColumns(List<FeatureColumn> features, List<String> segments) {
    this.features = List.copyOf(features);
    this.segments = List.copyOf(segments);
    this.width = this.features.size() + this.segments.size();
    numbers = new double[width][];
    codes = new int[width][];
    for (int c = 0; c < width; c++) {
      dictionary.add(new ArrayList<>());
      index.add(new HashMap<>());
      if (c < this.features.size() && this.features.get(c).numeric()) {
        numbers[c] = new double[days.length];
      } else {
        codes[c] = new int[days.length];
      }
    }
  }

  public List<FeatureColumn> features() {
    return features;
  }

  public List<String> segments() {
    return segments;
  }

  /** Columns per row: features and segment columns. */
  public int width() {
    return width;
  }

  /** Rows held. */
  public int size() {
    return size;
  }

  /** Values held ({@code size × width}): what exact mode's budget counts. */
  public long values() {
    return (long) size * width;
  }

  /**
   * Adds a row of day {@code epochDay}: {@code values} holds the features then the segment
   * columns, null for a missing value; a number for a numeric feature, any value for the others
   * (kept as {@code toString}).
   */
  public void add(long epochDay, Object[] values) {
    if (values.length != width) {
      throw new IllegalArgumentException("Cannot add a row of " + values.length + " values: expected " + width);
    }
    if (size == days.length) {
      int cap = days.length * 2;
      days = Arrays.copyOf(days, cap);
      for (int c = 0; c < width; c++) {
        if (numbers[c] != null) {
          numbers[c] = Arrays.copyOf(numbers[c], cap);
        } else {
          codes[c] = Arrays.copyOf(codes[c], cap);
        }
      }
    }
    days[size] = epochDay;
    for (int c = 0; c < width; c++) {
      Object v = values[c];
      if (numbers[c] != null) {
        numbers[c][size] = v == null ? Double.NaN : ((Number) v).doubleValue(); // NaN is the core's null
      } else {
        codes[c][size] = v == null ? -1 : code(c, v.toString());
      }
    }
    size++;
  }

  private int code(int c, String value) {
    Integer code = index.get(c).get(value);
    if (code == null) {
      code = index.get(c).size();
      index.get(c).put(value, code);
      dictionary.get(c).add(value);
    }
    return code;
  }

  private String text(int c, int row) {
    int code = codes[c][row];
    return code < 0 ? null : dictionary.get(c).get(code);
  }

  /** Rows of the days of {@code range}. */
  public long count(DayRange range) {
    return count(range, -1, null);
  }

  /** Rows of {@code range} whose segment column {@code segment} (an index into {@link #segments}) is {@code value}. */
  public long count(DayRange range, int segment, String value) {
    long n = 0;
    for (int i = 0; i < size; i++) {
      n += in(range, i, segment, value) ? 1 : 0;
    }
    return n;
  }

  /**
   * The values of segment column {@code segment} by their number of rows in {@code range}, most
   * first, ties by value; at most {@code top}. Null is no segment.
   */
  public List<String> topSegments(int segment, DayRange range, int top) {
    int c = features.size() + segment;
    long[] byCode = new long[dictionary.get(c).size()];
    for (int i = 0; i < size; i++) {
      if (range.contains(days[i]) && codes[c][i] >= 0) {
        byCode[codes[c][i]]++;
      }
    }
    Map<String, Long> counts = new TreeMap<>();
    for (int k = 0; k < byCode.length; k++) {
      if (byCode[k] > 0) {
        counts.put(dictionary.get(c).get(k), byCode[k]);
      }
    }
    return counts.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
        .limit(top).map(Map.Entry::getKey).toList();
  }

  /** Feature {@code f}'s drift, under {@code name}, between the rows of two ranges. */
  public FeatureDrift drift(ExactDrift drift, String name, int f, DayRange reference, DayRange current) {
    return drift(drift, name, f, reference, current, -1, null);
  }

  /** As {@link #drift(ExactDrift, String, int, DayRange, DayRange)}, on the rows of one segment value. */
  public FeatureDrift drift(ExactDrift drift, String name, int f, DayRange reference, DayRange current, int segment,
      String value) {
    if (features.get(f).numeric()) {
      return drift.numeric(name, numbers(f, reference, segment, value), numbers(f, current, segment, value));
    }
    return drift.categorical(name, categories(f, reference, segment, value), categories(f, current, segment, value));
  }

  /**
   * One profile per day and feature, from the values held (no second read of the table); a
   * numeric NaN is the core's null, and the profile's too.
   */
  public List<DayProfile> dayProfiles() {
    DailyProfiler profiler = new DailyProfiler(features);
    for (int i = 0; i < size; i++) {
      var b = profiler.builders(days[i]);
      for (int f = 0; f < b.length; f++) {
        if (numbers[f] != null) {
          b[f].add(numbers[f][i]);
        } else {
          b[f].add(text(f, i));
        }
      }
    }
    List<DayProfile> out = new ArrayList<>();
    for (DayProfiles.Entry e : profiler.build()) {
      out.add(new DayProfile(features.get(e.feature()).name(), java.time.LocalDate.ofEpochDay(e.epochDay()), e.profile()));
    }
    return out;
  }

  private boolean in(DayRange range, int i, int segment, String value) {
    return range.contains(days[i]) && (segment < 0 || value.equals(text(features.size() + segment, i)));
  }

  private double[] numbers(int f, DayRange range, int segment, String value) {
    double[] out = new double[(int) count(range, segment, value)];
    int j = 0;
    for (int i = 0; i < size; i++) {
      if (in(range, i, segment, value)) {
        out[j++] = numbers[f][i];
      }
    }
    return out;
  }

  /** The category counts of feature {@code f} over the rows of {@code range} (and of the segment value). */
  private CategoryCounts categories(int f, DayRange range, int segment, String value) {
    long[] counts = new long[dictionary.get(f).size()];
    long nulls = 0;
    for (int i = 0; i < size; i++) {
      if (in(range, i, segment, value)) {
        int code = codes[f][i];
        if (code < 0) {
          nulls++;
        } else {
          counts[code]++;
        }
      }
    }
    return CategoryCounts.of(dictionary.get(f).toArray(new String[0]), counts, nulls);
  }
}
