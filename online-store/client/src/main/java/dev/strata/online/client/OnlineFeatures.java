package dev.strata.online.client;

import dev.strata.dsl.types.DataType;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feature vectors of a request: one row per entity row, one column per feature of the service
 * (group features, then derived features), each value with a status and the event time of the
 * freshest input behind it. Immutable.
 */
public final class OnlineFeatures {
  private final List<String> names;
  private final List<DataType> types;
  private final Object[][] values;
  private final FeatureStatus[][] statuses;
  private final long[][] eventTimes;
  private final long asOfMicros;
  private final String requestId;

  /**
   * A result over arrays of rows ({@code values[row][feature]}, same shape for statuses and
   * times), without copying them: for the reader, which builds them for this result alone. The
   * caller hands the arrays over and must not change them afterwards; {@link #of} copies instead.
   */
  public static OnlineFeatures wrap(List<String> names, List<DataType> types, Object[][] values,
      FeatureStatus[][] statuses, long[][] eventTimes, long asOfMicros) {
    return new OnlineFeatures(names, types, values, statuses, eventTimes, asOfMicros, null);
  }

  private OnlineFeatures(List<String> names, List<DataType> types, Object[][] values, FeatureStatus[][] statuses,
      long[][] eventTimes, long asOfMicros, String requestId) {
    this.names = List.copyOf(names);
    this.types = List.copyOf(types);
    this.values = values;
    this.statuses = statuses;
    this.eventTimes = eventTimes;
    this.asOfMicros = asOfMicros;
    this.requestId = requestId;
  }

  /** Rows of several results of the same columns and instant, in order (shares their rows). */
  public static OnlineFeatures concat(List<OnlineFeatures> parts) {
    OnlineFeatures first = parts.get(0);
    int n = parts.stream().mapToInt(OnlineFeatures::size).sum();
    Object[][] v = new Object[n][];
    FeatureStatus[][] s = new FeatureStatus[n][];
    long[][] t = new long[n][];
    int at = 0;
    for (OnlineFeatures p : parts) {
      System.arraycopy(p.values, 0, v, at, p.size());
      System.arraycopy(p.statuses, 0, s, at, p.size());
      System.arraycopy(p.eventTimes, 0, t, at, p.size());
      at += p.size();
    }
    return wrap(first.names, first.types, v, s, t, first.asOfMicros);
  }

  /** The same vectors tagged with the id of the request that served them (shares the arrays). */
  public OnlineFeatures withRequestId(String id) {
    return new OnlineFeatures(names, types, values, statuses, eventTimes, asOfMicros, id);
  }

  /**
   * The id of the request that served these vectors, or null: pass it when logging the model's
   * prediction so served features, predictions and labels can be joined.
   */
  public String requestId() {
    return requestId;
  }

  /** Builds a result from columns of rows (for clients that decode a response). */
  public static OnlineFeatures of(List<String> names, List<DataType> types, List<Object[]> values,
      List<FeatureStatus[]> statuses, List<long[]> eventTimes, long asOfMicros) {
    int n = values.size();
    Object[][] v = new Object[n][];
    FeatureStatus[][] s = new FeatureStatus[n][];
    long[][] t = new long[n][];
    for (int i = 0; i < n; i++) {
      v[i] = values.get(i).clone();
      s[i] = statuses.get(i).clone();
      t[i] = eventTimes.get(i).clone();
    }
    return wrap(names, types, v, s, t, asOfMicros);
  }

  /** Marks a missing event time. */
  public static final long NO_TIME = Long.MIN_VALUE;

  public List<String> featureNames() {
    return names;
  }

  public List<DataType> featureTypes() {
    return types;
  }

  /** The instant the values are as of (the reader's now), in micros. */
  public long asOfMicros() {
    return asOfMicros;
  }

  public int size() {
    return values.length;
  }

  public Object value(int row, int feature) {
    return values[row][feature];
  }

  public FeatureStatus status(int row, int feature) {
    return statuses[row][feature];
  }

  /** Event time (micros) of the freshest input behind the value, or {@link #NO_TIME}. */
  public long eventTimeMicros(int row, int feature) {
    return eventTimes[row][feature];
  }

  /** One row as feature name → value, in feature order. */
  public Map<String, Object> row(int row) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int f = 0; f < names.size(); f++) {
      m.put(names.get(f), values[row][f]);
    }
    return m;
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("OnlineFeatures" + names + "\n");
    for (int i = 0; i < values.length; i++) {
      sb.append(Arrays.toString(values[i])).append(' ').append(Arrays.toString(statuses[i])).append('\n');
    }
    return sb.toString();
  }
}
