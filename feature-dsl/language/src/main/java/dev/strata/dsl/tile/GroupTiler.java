package dev.strata.dsl.tile;

import dev.strata.dsl.agg.Aggregations;
import dev.strata.dsl.agg.Aggregator;
import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.expr.BoundExpression;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledAggregation;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan.KeyColumn;
import dev.strata.dsl.plan.CompiledPlan.TileSpec;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * How events of a group become tiles: the one implementation of "events → tiles per (key,
 * group, hop)" that Spark, Flink and the online writer share. A tile of spec {@code s} and start
 * {@code a} holds, for one entity key, the IRs (a {@link RowAggregator} row) of the spec's
 * aggregations over the events with time in {@code [a, a + hop)}.
 *
 * <p>Rows are source rows in the source schema's order (timestamps in microseconds). Not
 * thread-safe only in that aggregators may mutate the IRs they are given.
 */
public final class GroupTiler {
  private final CompiledGroup group;
  private final TileGeometry geometry;
  private final Schema schema;
  private final int timeIndex;
  private final BoundExpression[] keys;
  private final BoundExpression filter;
  private final BoundExpression[] inputs;
  private final RowAggregator[] aggregators;

  private GroupTiler(CompiledGroup group, CompiledSource source) {
    this.group = group;
    this.geometry = TileGeometry.of(group);
    this.schema = source.schema();
    this.timeIndex = schema.indexOf(source.timestamp());
    this.keys = group.keys().stream().map(k -> BoundExpression.bind(k.expr(), schema)).toArray(BoundExpression[]::new);
    this.filter = group.filter() == null ? null : BoundExpression.bind(group.filter(), schema);
    this.inputs = new BoundExpression[group.aggregations().size()];
    for (int i = 0; i < inputs.length; i++) {
      CompiledAggregation a = group.aggregations().get(i);
      inputs[i] = a.input() == null ? null : BoundExpression.bind(a.input(), schema);
    }
    this.aggregators = new RowAggregator[group.tiles().size()];
    for (int s = 0; s < aggregators.length; s++) {
      List<Aggregator<?>> aggs = new ArrayList<>();
      for (int index : group.tiles().get(s).aggregationIndexes()) {
        CompiledAggregation a = group.aggregations().get(index);
        aggs.add(Aggregations.create(a.function(), a.args(), a.inputType()));
      }
      aggregators[s] = new RowAggregator(aggs);
    }
  }

  public static GroupTiler of(CompiledPlan plan, String groupName) {
    CompiledGroup g = plan.group(groupName)
        .orElseThrow(() -> new IllegalArgumentException("Cannot tile group '" + groupName + "': no such group in the plan"));
    CompiledSource s = plan.source(g.source()).orElseThrow();
    return new GroupTiler(g, s);
  }

  public CompiledGroup group() {
    return group;
  }

  /** Where the group's tiles, windows and blocks lie in time. */
  public TileGeometry geometry() {
    return geometry;
  }

  /** The source schema rows must follow. */
  public Schema schema() {
    return schema;
  }

  public int specCount() {
    return aggregators.length;
  }

  public TileSpec spec(int spec) {
    return group.tiles().get(spec);
  }

  public long hop(int spec) {
    return group.tiles().get(spec).hopMicros();
  }

  public RowAggregator aggregator(int spec) {
    return aggregators[spec];
  }

  /** The names of the entity key columns, in order. */
  public List<String> keyNames() {
    return group.keys().stream().map(KeyColumn::name).toList();
  }

  /**
   * The entity key of an event, in the entity's key order, or null when the event belongs to no
   * value: its time or a key is NULL, or the filter is not TRUE.
   */
  public List<Object> keyOf(Object[] row) {
    if (row[timeIndex] == null || (filter != null && !filter.test(row))) {
      return null;
    }
    Object[] k = new Object[keys.length];
    for (int i = 0; i < k.length; i++) {
      k[i] = keys[i].eval(row);
      if (k[i] == null) {
        return null;
      }
    }
    return Arrays.asList(k);
  }

  public long eventTime(Object[] row) {
    return (Long) row[timeIndex];
  }

  /** The start of the tile of spec {@code spec} holding time {@code t} (see {@link TileGeometry#tileStart}). */
  public long tileStart(int spec, long t) {
    return geometry.tileStart(spec, t);
  }

  /** Adds an event (already keyed by {@link #keyOf}) to a tile's IRs; {@code irs} null starts a tile. */
  public Object[] update(int spec, Object[] irs, Object[] row) {
    RowAggregator agg = aggregators[spec];
    List<Integer> slots = group.tiles().get(spec).aggregationIndexes();
    Object[] values = new Object[slots.size()];
    for (int i = 0; i < values.length; i++) {
      BoundExpression in = inputs[slots.get(i)];
      values[i] = in == null ? Boolean.TRUE : in.eval(row);
    }
    return agg.update(irs == null ? agg.create() : irs, values, eventTime(row));
  }
}
