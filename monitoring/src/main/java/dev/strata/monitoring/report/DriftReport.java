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
 */
public record DriftReport(
    String title,
    String reference,
    String current,
    List<FeatureDrift> features,
    List<Slice> timeline,
    Thresholds thresholds,
    String generatedAt) {

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
