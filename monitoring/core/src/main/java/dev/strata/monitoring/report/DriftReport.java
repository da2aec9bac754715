package dev.strata.monitoring.report;

import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Status;
import dev.strata.monitoring.drift.Thresholds;
import java.util.List;

/**
 * What a report shows: the drift of each feature for the latest slice against the reference,
 * and optionally the same for a series of slices (drift over time, oldest first).
 *
 * @param title the report's heading (a monitor's name, or "ad-hoc drift")
 * @param reference label of the reference slice (a file, or "2001-01-01 … 2001-02-01")
 * @param current label of the current slice
 * @param features drift per feature, current vs reference
 * @param timeline earlier slices and the current one, oldest first; empty for one slice
 * @param thresholds the levels the statuses were judged by
 * @param generatedAt when, as text (ISO-8601); callers pass it so reports are reproducible
 * @param skew online/offline skew of the service over the current slice, or null
 * @param performance the model's predictions against the labels that arrived, or null
 */
public record DriftReport(
    String title,
    String reference,
    String current,
    List<FeatureDrift> features,
    List<Slice> timeline,
    Thresholds thresholds,
    String generatedAt,
    Skew skew,
    dev.strata.monitoring.performance.ModelPerformance performance) {

  /** A report without skew. */
  public DriftReport(String title, String reference, String current, List<FeatureDrift> features, List<Slice> timeline,
      Thresholds thresholds, String generatedAt) {
    this(title, reference, current, features, timeline, thresholds, generatedAt, null, null);
  }

  /**
   * Served (logged) values against offline values per feature.
   *
   * @param service the feature service whose log was compared
   * @param slice label of the log's days compared
   * @param relativeTolerance the tolerance doubles were compared with
   * @param features per feature, in the service's order
   */
  public record Skew(String service, String slice, double relativeTolerance,
      List<dev.strata.monitoring.skew.FeatureSkew> features) {
    public Skew {
      features = List.copyOf(features);
    }

    public long mismatches() {
      return features.stream().mapToLong(dev.strata.monitoring.skew.FeatureSkew::mismatches).sum();
    }
  }

  /** This report with {@code skew} added. */
  public DriftReport withSkew(Skew skew) {
    return new DriftReport(title, reference, current, features, timeline, thresholds, generatedAt, skew, performance);
  }

  /** This report with the model's performance added. */
  public DriftReport withPerformance(dev.strata.monitoring.performance.ModelPerformance performance) {
    return new DriftReport(title, reference, current, features, timeline, thresholds, generatedAt, skew, performance);
  }

  /** One time slice of the drift-over-time chart. */
  public record Slice(String label, List<FeatureDrift> features) {
    public Slice {
      features = List.copyOf(features);
    }
  }

  public DriftReport {
    features = List.copyOf(features);
    timeline = List.copyOf(timeline);
  }

  /** The worst status over the features: what an exit code or a webhook acts on. */
  public Status overall() {
    Status s = Status.OK;
    for (FeatureDrift f : features) {
      if (f.status().compareTo(s) > 0) {
        s = f.status();
      }
    }
    return s;
  }
}
