package dev.strata.monitoring.performance;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * How well a model's predictions matched the labels that arrived, in a reference slice and a
 * current slice: drift says the inputs moved, this says whether the model got worse.
 *
 * <p>Numeric labels: {@code mae} (mean |prediction − label|), {@code rmse} (square root of the
 * mean squared error) and {@code bias} (mean of prediction − label); when every label of a slice
 * is 0 or 1 (a binary classifier's scores), also {@code accuracy}: the share of pairs where
 * {@code prediction >= 0.5} says the label. Text labels and predictions (classes): {@code
 * accuracy}, the share of equal pairs. Only pairs with both sides present count.
 *
 * @param model the model (or prediction table) measured
 * @param metrics in the order above
 */
public record ModelPerformance(String model, List<Metric> metrics) {
  /** Threshold of a binary classifier's score. */
  public static final double THRESHOLD = 0.5;
  private static final List<String> ORDER = List.of("mae", "rmse", "bias", "accuracy");

  public ModelPerformance {
    Objects.requireNonNull(model, "model");
    metrics = List.copyOf(metrics);
  }

  /**
   * One metric in both slices; a value is null when its slice has no labelled pair (or, for
   * accuracy of numeric labels, a label other than 0 and 1).
   */
  public record Metric(String name, Double reference, Double current, long referenceRows, long currentRows) {
    /** current − reference, or null when either is missing. */
    public Double change() {
      return reference == null || current == null ? null : current - reference;
    }
  }

  /** The metrics of one slice of numeric predictions and labels, by name; empty for no pairs. */
  public static Map<String, Double> numeric(double[] predictions, double[] labels) {
    checkLengths(predictions.length, labels.length);
    Map<String, Double> out = new LinkedHashMap<>();
    int n = predictions.length;
    if (n == 0) {
      return out;
    }
    double[] absolute = new double[n];
    double[] squared = new double[n];
    double[] error = new double[n];
    boolean binary = true;
    long correct = 0;
    for (int i = 0; i < n; i++) {
      double e = predictions[i] - labels[i];
      error[i] = e;
      absolute[i] = Math.abs(e);
      squared[i] = e * e;
      binary &= labels[i] == 0.0 || labels[i] == 1.0;
      if ((predictions[i] >= THRESHOLD) == (labels[i] == 1.0)) {
        correct++;
      }
    }
    out.put("mae", mean(absolute));
    out.put("rmse", Math.sqrt(mean(squared)));
    out.put("bias", mean(error));
    if (binary) {
      out.put("accuracy", (double) correct / n);
    }
    return out;
  }

  /** The metrics of one slice of class predictions and labels: accuracy; empty for no pairs. */
  public static Map<String, Double> categorical(String[] predictions, String[] labels) {
    checkLengths(predictions.length, labels.length);
    Map<String, Double> out = new LinkedHashMap<>();
    if (predictions.length > 0) {
      long equal = 0;
      for (int i = 0; i < predictions.length; i++) {
        if (predictions[i].equals(labels[i])) {
          equal++;
        }
      }
      out.put("accuracy", (double) equal / predictions.length);
    }
    return out;
  }

  /** Reference against current, metric by metric, for every metric either slice has. */
  public static ModelPerformance compare(String model, Map<String, Double> reference, long referenceRows,
      Map<String, Double> current, long currentRows) {
    List<Metric> metrics = new ArrayList<>();
    for (String name : ORDER) {
      if (reference.containsKey(name) || current.containsKey(name)) {
        metrics.add(new Metric(name, reference.get(name), current.get(name), referenceRows, currentRows));
      }
    }
    return new ModelPerformance(model, metrics);
  }

  /** The metric named, if measured. */
  public java.util.Optional<Metric> metric(String name) {
    return metrics.stream().filter(m -> m.name().equals(name)).findFirst();
  }

  private static double mean(double[] values) {
    return java.util.Arrays.stream(values).sum() / values.length; // compensated summation
  }

  private static void checkLengths(int predictions, int labels) {
    if (predictions != labels) {
      throw new IllegalArgumentException(
          "Cannot measure a model: " + predictions + " predictions but " + labels + " labels");
    }
  }
}
