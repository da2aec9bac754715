package dev.strata.monitoring.monitor;

import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.SketchDrift;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.profile.ColumnProfile;
import dev.strata.monitoring.report.DriftReport;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The drift of one monitor run: each feature's current range against the reference, and, when
 * the current range is cut into more than one period ({@code every}), each period against the
 * reference (drift over time). Features are added group by group, exact
 * ({@link #addExact}, {@link #addSegments}) or from sketches ({@link #addSketched}), in the order
 * they should appear; {@link #rows} and {@link #report} read what was added. Not thread-safe.
 */
public final class MonitorDrift {
  private final DayRange reference;
  private final DayRange current;
  private final List<DayRange> timeline;
  private final Thresholds thresholds;
  private final ExactDrift exact;
  private final SketchDrift sketch;
  private final List<FeatureDrift> currentDrift = new ArrayList<>();
  private final List<List<FeatureDrift>> perPeriod = new ArrayList<>();

  /**
   * @param timeline the periods of {@code current} (see {@link DayRange#periods}); one period
   *     (or none) means no drift over time
   */
  public MonitorDrift(DayRange reference, DayRange current, List<DayRange> timeline, Thresholds thresholds) {
    this.reference = Objects.requireNonNull(reference, "reference");
    this.current = Objects.requireNonNull(current, "current");
    this.timeline = List.copyOf(timeline);
    this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
    this.exact = new ExactDrift(thresholds);
    this.sketch = new SketchDrift(thresholds);
    this.timeline.forEach(p -> perPeriod.add(new ArrayList<>()));
  }

  public DayRange reference() {
    return reference;
  }

  public DayRange current() {
    return current;
  }

  public List<DayRange> timeline() {
    return timeline;
  }

  private boolean overTime() {
    return timeline.size() > 1;
  }

  /** Exact drift of every feature of {@code cols}: the current range and each period. */
  public void addExact(DayColumns cols) {
    for (int f = 0; f < cols.features().size(); f++) {
      String name = cols.features().get(f).name();
      currentDrift.add(cols.drift(exact, name, f, reference, current));
      if (overTime()) {
        for (int p = 0; p < timeline.size(); p++) {
          perPeriod.get(p).add(cols.drift(exact, name, f, reference, timeline.get(p)));
        }
      }
    }
  }

  /**
   * Exact drift of the current range per segment: for each segment column, the {@code top}
   * values with most reference rows (ties by value), each drifted on its own rows as feature
   * {@code <feature>[<column>=<value>]}; a segment without current rows is left out.
   */
  public void addSegments(DayColumns cols, int top) {
    if (top < 1) {
      throw new IllegalArgumentException("Cannot drift the top " + top + " segments: give at least 1");
    }
    for (int s = 0; s < cols.segments().size(); s++) {
      String column = cols.segments().get(s);
      for (String v : cols.topSegments(s, reference, top)) {
        if (cols.count(current, s, v) == 0) {
          continue;
        }
        for (int f = 0; f < cols.features().size(); f++) {
          currentDrift.add(cols.drift(exact, cols.features().get(f).name() + "[" + column + "=" + v + "]", f,
              reference, current, s, v));
        }
      }
    }
  }

  /**
   * Drift from sketches of every feature of {@code profiles}: the days merged into the
   * reference, the current range and each period; a period without days compares an empty
   * profile. The caller checks first that reference and current have rows.
   */
  public void addSketched(DayProfiles profiles) {
    List<FeatureColumn> features = profiles.features();
    ColumnProfile[] ref = profiles.merged(reference);
    ColumnProfile[] cur = profiles.merged(current);
    List<ColumnProfile[]> periods = new ArrayList<>();
    if (overTime()) {
      timeline.forEach(p -> periods.add(profiles.merged(p)));
    }
    for (int f = 0; f < features.size(); f++) {
      FeatureColumn c = features.get(f);
      currentDrift.add(sketch.between(orEmpty(ref[f], c), orEmpty(cur[f], c)));
      for (int p = 0; p < periods.size(); p++) {
        perPeriod.get(p).add(sketch.between(orEmpty(ref[f], c), orEmpty(periods.get(p)[f], c)));
      }
    }
  }

  private static ColumnProfile orEmpty(ColumnProfile p, FeatureColumn c) {
    if (p != null) {
      return p;
    }
    return (c.numeric() ? ColumnProfile.numeric(c.name()) : ColumnProfile.categorical(c.name())).build();
  }

  /** The drift of the current range, features (and segments) in the order added. */
  public List<FeatureDrift> currentDrift() {
    return List.copyOf(currentDrift);
  }

  /** The drift of each period of the timeline; empty lists without drift over time. */
  public List<List<FeatureDrift>> perPeriod() {
    return perPeriod.stream().map(List::copyOf).toList();
  }

  /**
   * The drift table's rows that {@code selection} keeps: the current range's, then, with drift
   * over time, each period's.
   */
  public List<DriftRow> rows(MetricSelection selection) {
    List<DriftRow> out = new ArrayList<>();
    addRows(out, selection, current, currentDrift);
    if (overTime()) {
      for (int p = 0; p < timeline.size(); p++) {
        addRows(out, selection, timeline.get(p), perPeriod.get(p));
      }
    }
    return out;
  }

  private static void addRows(List<DriftRow> out, MetricSelection selection, DayRange slice, List<FeatureDrift> features) {
    for (FeatureDrift f : features) {
      for (Map.Entry<String, Double> e : f.metrics().entrySet()) {
        if (selection.keeps(e.getKey())) {
          double v = e.getValue();
          out.add(new DriftRow(f.feature(), slice, e.getKey(), Double.isNaN(v) ? null : v, f.status().label(),
              f.mode().label()));
        }
      }
    }
  }

  /** The report: the current range's drift and, with drift over time, one slice per period. */
  public DriftReport report(String title, Instant computedAt) {
    List<DriftReport.Slice> slices = new ArrayList<>();
    if (overTime()) {
      for (int p = 0; p < timeline.size(); p++) {
        slices.add(new DriftReport.Slice(timeline.get(p).label(), perPeriod.get(p)));
      }
    }
    return new DriftReport(title, reference.label(), current.label(), currentDrift, slices, thresholds,
        computedAt.truncatedTo(ChronoUnit.SECONDS).toString());
  }
}
