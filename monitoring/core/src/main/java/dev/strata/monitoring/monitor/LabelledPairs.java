package dev.strata.monitoring.monitor;

import dev.strata.monitoring.performance.ModelPerformance;
import java.time.LocalDate;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * A model's predictions that have a label, with their days: scores against numeric labels
 * ({@code predictions}, {@code labels}) or predicted classes against label classes
 * ({@code predictedClasses}, {@code labelClasses}); the other pair is null.
 */
public record LabelledPairs(String model, List<LocalDate> days, double[] predictions, double[] labels,
    String[] predictedClasses, String[] labelClasses) {
  public LabelledPairs {
    days = List.copyOf(days);
    int n = days.size();
    boolean numeric = predictions != null && labels != null && predictedClasses == null && labelClasses == null
        && predictions.length == n && labels.length == n;
    boolean categorical = predictions == null && labels == null && predictedClasses != null && labelClasses != null
        && predictedClasses.length == n && labelClasses.length == n;
    if (!numeric && !categorical) {
      throw new IllegalArgumentException("Cannot pair the predictions of " + model
          + ": give scores and labels, or classes and label classes, one per day");
    }
  }

  public static LabelledPairs numeric(String model, List<LocalDate> days, double[] predictions, double[] labels) {
    return new LabelledPairs(model, days, predictions, labels, null, null);
  }

  public static LabelledPairs categorical(String model, List<LocalDate> days, String[] predicted, String[] labels) {
    return new LabelledPairs(model, days, null, null, predicted, labels);
  }

  public boolean numeric() {
    return predictions != null;
  }

  /** Pairs whose day lies in {@code range}. */
  public long count(DayRange range) {
    return days.stream().filter(range::contains).count();
  }

  /** The model's metrics over the pairs whose day lies in {@code range}. */
  public Map<String, Double> metrics(DayRange range) {
    int[] in = IntStream.range(0, days.size()).filter(i -> range.contains(days.get(i))).toArray();
    if (numeric()) {
      return ModelPerformance.numeric(Arrays.stream(in).mapToDouble(i -> predictions[i]).toArray(),
          Arrays.stream(in).mapToDouble(i -> labels[i]).toArray());
    }
    return ModelPerformance.categorical(Arrays.stream(in).mapToObj(i -> predictedClasses[i]).toArray(String[]::new),
        Arrays.stream(in).mapToObj(i -> labelClasses[i]).toArray(String[]::new));
  }

  /** Reference against current: the model's performance for the report. */
  public ModelPerformance compare(DayRange reference, DayRange current) {
    return ModelPerformance.compare(model, metrics(reference), count(reference), metrics(current), count(current));
  }
}
