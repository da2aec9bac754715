package dev.strata.monitoring.monitor;

import dev.strata.monitoring.drift.Metrics;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The metrics a monitor's {@code metrics:} list keeps for the drift table (all when empty): a
 * test's p-value comes with its statistic, the normed Wasserstein with the raw one, the null
 * rates with {@code null_rate}, the unseen share with {@code out_of_range}. The null-rate change
 * is always kept: every feature has it in every slice (an all-null day has nothing else), so
 * each feature × slice has a row that carries its status.
 */
public final class MetricSelection {
  private final Set<String> kept; // null: all

  private MetricSelection(Set<String> kept) {
    this.kept = kept;
  }

  /** The selection of a monitor's {@code metrics:} list; null or empty keeps every metric. */
  public static MetricSelection of(List<String> listed) {
    if (listed == null || listed.isEmpty()) {
      return new MetricSelection(null);
    }
    Set<String> kept = new HashSet<>();
    kept.add(Metrics.NULL_RATE_CHANGE);
    for (String l : listed) {
      String c = Metrics.canonical(l);
      kept.addAll(switch (c) {
        case Metrics.KS -> Set.of(Metrics.KS, Metrics.KS_PVALUE);
        case Metrics.CHI_SQUARE -> Set.of(Metrics.CHI_SQUARE, Metrics.CHI_SQUARE_PVALUE);
        case Metrics.WASSERSTEIN -> Set.of(Metrics.WASSERSTEIN, Metrics.WASSERSTEIN_NORMED);
        case Metrics.NULL_RATE_CHANGE -> Set.of(Metrics.NULL_RATE_CHANGE, Metrics.REFERENCE_NULL_RATE, Metrics.CURRENT_NULL_RATE);
        case Metrics.OUT_OF_RANGE -> Set.of(Metrics.OUT_OF_RANGE, Metrics.UNSEEN_SHARE);
        default -> Set.of(c);
      });
    }
    return new MetricSelection(Set.copyOf(kept));
  }

  public boolean keeps(String metric) {
    return kept == null || kept.contains(metric);
  }
}
