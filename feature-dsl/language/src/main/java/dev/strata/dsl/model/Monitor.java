package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Drift of a service's features, and of a model's predictions, against a reference range. */
public record Monitor(
    String name,
    String service,
    Predictions predictions,
    long referenceFromMicros,
    long referenceToMicros,
    Long everyMicros,
    List<String> metrics,
    Map<String, Double> thresholds,
    List<ExprText> segments,
    String description,
    SourcePosition pos,
    SourcePosition servicePos) {

  /** The drift metrics a monitor may ask for (docs/design.md, "Monitoring"). */
  public static final List<String> METRICS =
      List.of("psi", "ks", "js_distance", "wasserstein", "wasserstein_normed", "chi_square",
          "null_rate", "out_of_range");

  public Monitor {
    metrics = List.copyOf(metrics);
    thresholds = Collections.unmodifiableMap(new LinkedHashMap<>(thresholds));
    segments = List.copyOf(segments);
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
    servicePos = servicePos == null ? pos : servicePos;
  }

  /**
   * The model's predictions: {@code model} names it in Strata's prediction log
   * ({@code <namespace>.prediction_log}); otherwise an Iceberg table of one's own, its score
   * column and optional label column.
   */
  public record Predictions(String model, String table, String column, String label) {}
}
