package dev.strata.dsl.oracle;

import dev.strata.dsl.agg.Aggregations;
import dev.strata.dsl.agg.Aggregator;
import dev.strata.dsl.expr.BoundExpression;
import dev.strata.dsl.expr.TypedExpr;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledAggregation;
import dev.strata.dsl.plan.CompiledPlan.CompiledDerived;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan.CompiledTrainingSet;
import dev.strata.dsl.plan.CompiledPlan.KeyColumn;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The reference evaluator: computes features exactly by the definition of time and windows
 * (docs/design.md), written for obviousness, not speed. For every (key, t) it scans every event: no
 * tiles, no pre-aggregation, nothing an engine could share a bug with except the aggregation
 * IRs themselves.
 *
 * <p>The value of a feature with window W and hop h for key k as of t aggregates the events of
 * k that pass the filter with event time in {@code [floor(t - W, h), t)} (lifetime: every
 * event before t). An event at exactly t is not included. Events whose key or whose filter
 * is NULL belong to no value. The order of events in the input does not matter (late events
 * count like any other: the batch side has all events).
 *
 * <p>Events are rows in the source schema's order; timestamps are microseconds.
 */
public final class Oracle {
  private final CompiledPlan plan;

  public Oracle(CompiledPlan plan) {
    this.plan = Objects.requireNonNull(plan, "plan");
  }

  /** The value of every feature of {@code group} for entity key {@code key} as of {@code t}. */
  public Map<String, Object> groupFeatures(String group, List<Object[]> events, List<Object> key, long t) {
    CompiledGroup g = plan.group(group).orElseThrow(() -> new IllegalArgumentException("Cannot evaluate: unknown group " + group));
    CompiledSource source = plan.source(g.source()).orElseThrow();
    Schema schema = source.schema();
    int tsIndex = schema.indexOf(source.timestamp());
    List<BoundExpression> keyExprs = new ArrayList<>();
    for (KeyColumn k : g.keys()) {
      keyExprs.add(BoundExpression.bind(k.expr(), schema));
    }
    BoundExpression filter = g.filter() == null ? null : BoundExpression.bind(g.filter(), schema);

    Map<String, Object> values = new LinkedHashMap<>();
    TileGeometry geometry = TileGeometry.of(g);
    for (int i = 0; i < g.features().size(); i++) {
      CompiledFeature f = g.features().get(i);
      CompiledAggregation a = g.aggregations().get(f.aggregationIndex());
      BoundExpression input = a.input() == null ? null : BoundExpression.bind(a.input(), schema);
      // Only the window's bounds come from the geometry; the oracle scans raw events, no tiles.
      long start = geometry.windowStart(i, t);
      values.put(f.name(), aggregate(a, input, events, tsIndex, keyExprs, filter, key, start, t));
    }
    return values;
  }

  @SuppressWarnings("unchecked")
  private static Object aggregate(CompiledAggregation a, BoundExpression input, List<Object[]> events, int tsIndex,
      List<BoundExpression> keyExprs, BoundExpression filter, List<Object> key, long start, long end) {
    Aggregator<Object> agg = (Aggregator<Object>) Aggregations.create(a.function(), a.args(), a.inputType());
    Object ir = agg.create();
    for (Object[] row : events) {
      Object ts = row[tsIndex];
      if (ts == null) {
        continue; // an event without a time is in no window
      }
      long time = (Long) ts;
      if (time < start || time >= end) {
        continue;
      }
      if (!key.equals(keyOf(row, keyExprs))) {
        continue;
      }
      if (filter != null && !Boolean.TRUE.equals(filter.eval(row))) {
        continue;
      }
      Object value = input == null ? Boolean.TRUE : input.eval(row);
      ir = agg.update(ir, value, time);
    }
    return agg.finish(ir);
  }

  private static List<Object> keyOf(Object[] row, List<BoundExpression> keyExprs) {
    Object[] k = new Object[keyExprs.size()];
    for (int i = 0; i < k.length; i++) {
      k[i] = keyExprs.get(i).eval(row);
      if (k[i] == null) {
        return null;
      }
    }
    return Arrays.asList(k);
  }

  /**
   * Every feature of {@code service} (qualified names, then derived features) as of {@code t},
   * for the given key of each entity the service uses.
   */
  public Map<String, Object> serviceFeatures(String service, Map<String, List<Object[]>> eventsBySource,
      Map<String, List<Object>> keysByEntity, long t) {
    return serviceFeatures(service, eventsBySource, keysByEntity, Map.of(), t);
  }

  /**
   * As {@link #serviceFeatures(String, Map, Map, long)}, with the values of the service's request
   * inputs by name (converted to each input's type by {@link TypedValues}; an input left out is NULL).
   */
  public Map<String, Object> serviceFeatures(String service, Map<String, List<Object[]>> eventsBySource,
      Map<String, List<Object>> keysByEntity, Map<String, ?> request, long t) {
    CompiledService s = plan.service(service).orElseThrow(() -> new IllegalArgumentException("Cannot evaluate: unknown service " + service));
    Map<String, Map<String, Object>> byGroup = new LinkedHashMap<>();
    for (String groupName : s.groups()) {
      CompiledGroup g = plan.group(groupName).orElseThrow();
      List<Object> key = keysByEntity.get(g.entity());
      if (key == null) {
        throw new IllegalArgumentException("Cannot evaluate service " + service + ": no key given for entity " + g.entity());
      }
      byGroup.put(groupName, groupFeatures(groupName, eventsBySource.getOrDefault(g.source(), List.of()), key, t));
    }
    Schema schema = s.evaluationSchema();
    Object[] row = new Object[schema.size()];
    Map<String, Object> out = new LinkedHashMap<>();
    int i = 0;
    for (ServiceFeature f : s.features()) {
      Object v = byGroup.get(f.group()).get(f.feature());
      row[i++] = v;
      out.put(f.qualifiedName(), v);
    }
    for (Field r : s.request()) {
      row[schema.indexOf(CompiledService.requestColumn(r.name()))] = TypedValues.fromObject(request.get(r.name()), r.type());
    }
    for (CompiledDerived d : s.derived()) {
      Object v = BoundExpression.bind(d.expr(), schema).eval(row);
      row[schema.indexOf(d.name())] = v;
      out.put(d.name(), v);
    }
    return out;
  }

  /** One row of a training set: the spine's time, entity keys and label, then the features. */
  public record TrainingRow(long timestamp, Map<String, List<Object>> keys, Object label, Map<String, Object> features) {}

  /**
   * The training set for spine rows in the training set's spine schema (the spine source's
   * schema, or a file spine's columns): for every spine row, in order, the service's features as
   * of that row's time. No row is dropped or duplicated.
   */
  public List<TrainingRow> trainingSet(String name, Map<String, List<Object[]>> eventsBySource, List<Object[]> spineRows) {
    CompiledTrainingSet ts = plan.trainingSet(name).orElseThrow(() -> new IllegalArgumentException("Cannot evaluate: unknown training set " + name));
    Schema schema = ts.spineSchema();
    int tIndex = schema.indexOf(ts.timestamp());
    BoundExpression label = ts.label() == null ? null : BoundExpression.bind(ts.label(), schema);
    List<TrainingRow> out = new ArrayList<>();
    for (Object[] r : spineRows) {
      long t = (Long) r[tIndex];
      Map<String, List<Object>> keys = new LinkedHashMap<>();
      for (Map.Entry<String, List<TypedExpr>> e : ts.keys().entrySet()) {
        List<Object> k = new ArrayList<>();
        for (TypedExpr x : e.getValue()) {
          k.add(BoundExpression.bind(x, schema).eval(r));
        }
        keys.put(e.getKey(), k);
      }
      Map<String, Object> request = new LinkedHashMap<>();
      for (Field input : plan.service(ts.service()).orElseThrow().request()) {
        request.put(input.name(), r[schema.indexOf(input.name())]); // the spine column of the same name
      }
      out.add(new TrainingRow(t, keys, label == null ? null : label.eval(r),
          serviceFeatures(ts.service(), eventsBySource, keys, request, t)));
    }
    return out;
  }
}
