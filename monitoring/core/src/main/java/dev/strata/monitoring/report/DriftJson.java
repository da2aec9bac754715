package dev.strata.monitoring.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.skew.FeatureSkew;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The JSON form of a report. Doubles are written in full (they round-trip), NaN and
 * infinities as null, so any JSON reader can load it.
 */
public final class DriftJson {
  private static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private DriftJson() {}

  public static String toJson(DriftReport report) {
    try {
      return MAPPER.writeValueAsString(toTree(report));
    } catch (JsonProcessingException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static ObjectNode toTree(DriftReport report) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("title", report.title());
    root.put("reference", report.reference());
    root.put("current", report.current());
    root.put("generated_at", report.generatedAt());
    root.put("status", report.overall().label());
    ObjectNode levels = root.putObject("thresholds");
    for (Map.Entry<String, Thresholds.Level> e : report.thresholds().levels().entrySet()) {
      ObjectNode l = levels.putObject(e.getKey());
      number(l, "warn", e.getValue().warn());
      number(l, "drift", e.getValue().drift());
    }
    features(root.putArray("features"), report.features(), report.thresholds());
    ArrayNode timeline = root.putArray("timeline");
    for (DriftReport.Slice s : report.timeline()) {
      ObjectNode slice = timeline.addObject();
      slice.put("label", s.label());
      features(slice.putArray("features"), s.features(), report.thresholds());
    }
    if (report.skew() != null) {
      skew(root.putObject("skew"), report.skew());
    }
    if (report.performance() != null) {
      ObjectNode p = root.putObject("performance");
      p.put("model", report.performance().model());
      p.put("threshold", dev.strata.monitoring.performance.ModelPerformance.THRESHOLD);
      ArrayNode metrics = p.putArray("metrics");
      for (dev.strata.monitoring.performance.ModelPerformance.Metric m : report.performance().metrics()) {
        ObjectNode n = metrics.addObject();
        n.put("metric", m.name());
        number(n, "reference", m.reference());
        number(n, "current", m.current());
        number(n, "change", m.change());
        n.put("reference_rows", m.referenceRows());
        n.put("current_rows", m.currentRows());
      }
    }
    return root;
  }

  private static void features(ArrayNode out, List<FeatureDrift> features, Thresholds thresholds) {
    for (FeatureDrift f : features) {
      ObjectNode n = out.addObject();
      n.put("feature", f.feature());
      n.put("kind", f.kind().label());
      n.put("mode", f.mode().label());
      n.put("status", f.status().label());
      f.reasons().forEach(n.putArray("reasons")::add);
      n.put("reference_count", f.referenceCount());
      n.put("current_count", f.currentCount());
      n.put("reference_nulls", f.referenceNulls());
      n.put("current_nulls", f.currentNulls());
      number(n, "error_bound", f.errorBound());
      // the levels this feature was judged by: raised above the noise floor for many bins / small n
      ObjectNode levels = n.putObject("levels");
      thresholds.levelsFor(f.referenceCount() - f.referenceNulls(), f.currentCount() - f.currentNulls(),
          f.bins().size()).forEach((k, l) -> {
            ObjectNode o = levels.putObject(k);
            number(o, "warn", l.warn());
            number(o, "drift", l.drift());
          });
      ObjectNode metrics = n.putObject("metrics");
      f.metrics().forEach((k, v) -> number(metrics, k, v));
      f.bins().forEach(n.putArray("bins")::add);
      ArrayNode edges = n.putArray("edges");
      f.edges().forEach(edges::add);
      ArrayNode r = n.putArray("reference_shares");
      f.referenceShares().forEach(r::add);
      ArrayNode c = n.putArray("current_shares");
      f.currentShares().forEach(c::add);
    }
  }

  private static void skew(ObjectNode out, DriftReport.Skew skew) {
    out.put("service", skew.service());
    out.put("slice", skew.slice());
    out.put("relative_tolerance", skew.relativeTolerance());
    out.put("mismatches", skew.mismatches());
    ArrayNode features = out.putArray("features");
    for (FeatureSkew f : skew.features()) {
      ObjectNode n = features.addObject();
      n.put("feature", f.feature());
      n.put("rows_compared", f.rowsCompared());
      n.put("rows_not_served", f.rowsNotServed());
      n.put("mismatches", f.mismatches());
      number(n, "mismatch_share", f.mismatchShare());
      number(n, "mean_abs_diff", f.meanAbsDiff());
      number(n, "max_abs_diff", f.maxAbsDiff());
      ArrayNode examples = n.putArray("examples");
      for (FeatureSkew.Example e : f.examples()) {
        examples.addObject().put("request_id", e.requestId()).put("entities", e.entities())
            .put("served_at", dev.strata.dsl.time.Durations.formatInstant(e.servedAtMicros()))
            .put("served", e.served()).put("offline", e.offline());
      }
    }
  }

  private static void number(ObjectNode node, String key, Double v) {
    if (v == null) {
      node.putNull(key);
    } else {
      number(node, key, v.doubleValue());
    }
  }

  private static void number(ObjectNode node, String key, double v) {
    if (Double.isFinite(v)) {
      node.put(key, v);
    } else {
      node.putNull(key);
    }
  }
}
