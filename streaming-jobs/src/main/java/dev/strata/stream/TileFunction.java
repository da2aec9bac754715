package dev.strata.stream;

import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.online.EncodedTile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.metrics.Counter;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the open tiles of one (group version, entity key) in keyed state and emits a tile's whole
 * new state each time an event changes it. State holds the canonical encoded IRs, so what is
 * checkpointed, restored and written is exactly what batch builds for the same events.
 *
 * <p>An event is accepted while {@code event time + allowed lateness ≥ watermark}; a tile leaves
 * state once the watermark passes {@code tile end + allowed lateness}, when no accepted event
 * can reach it any more. Later events go to the dead letters.
 *
 * <p>State is addressed by identity, never by position: the Flink key is the group's name and
 * version with the entity key ({@link TileStateKey}), and a tile is the entry (hop, tile start)
 * of that key's map. Restored from a savepoint taken under another plan, a group version of both
 * plans resumes its open tiles; a new group or a new version of a group starts clean (its keys
 * are new keys); the keys of a group version the plan no longer streams are cleared by their
 * pending cleanup timers, so their state leaves the next savepoints. The plan the state belongs to
 * is kept in operator state ({@link StatePlan}) and each restore logs what it does per group.
 */
final class TileFunction extends KeyedProcessFunction<String, KeyedEvent, EncodedTile> implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(TileFunction.class);

  private final ProjectSnapshot project;
  private final String source;
  private final List<String> groups;
  private final long allowedLatenessMicros;
  private final OutputTag<DeadLetter> deadLetters;

  private transient Map<String, GroupTiler> tilers; // by TileStateKey.group
  private transient MapState<Tuple2<Long, Long>, byte[]> tiles; // (hop, tile start) → encoded IRs
  private transient ListState<String> planState;
  private transient StatePlan plan;
  private transient long[] timerLatenesses; // every allowed lateness a pending cleanup timer may have been set with
  private transient Counter rejected;
  private transient Counter updates;
  private transient Counter dropped;

  TileFunction(ProjectSnapshot project, String source, List<String> groups, long allowedLatenessMicros,
      OutputTag<DeadLetter> deadLetters) {
    this.project = project;
    this.source = source;
    this.groups = List.copyOf(groups);
    this.allowedLatenessMicros = allowedLatenessMicros;
    this.deadLetters = deadLetters;
  }

  static GroupTiler[] tilers(ProjectSnapshot project, List<String> groups) {
    CompiledPlan plan = project.plan();
    GroupTiler[] out = new GroupTiler[groups.size()];
    for (int g = 0; g < out.length; g++) {
      out[g] = GroupTiler.of(plan, groups.get(g));
    }
    return out;
  }

  /** {@code t + L < watermark}, compared in milliseconds so an end-of-input watermark cannot overflow. */
  static boolean isLate(long micros, long allowedLatenessMicros, long watermarkMillis) {
    return Math.floorDiv(micros + allowedLatenessMicros, 1000L) < watermarkMillis;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    Map<String, String> versions = new LinkedHashMap<>();
    for (GroupTiler tiler : tilers(project, groups)) {
      versions.put(tiler.group().name(), tiler.group().version());
    }
    plan = new StatePlan(versions, Set.of(allowedLatenessMicros));
    // Union state: every subtask restores the whole record, whatever the parallelism was.
    planState = context.getOperatorStateStore().getUnionListState(new ListStateDescriptor<>("stream-plan", Types.STRING));
    if (context.isRestored()) {
      StatePlan previous = StatePlan.fromEntries(planState.get());
      boolean log = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0;
      if (previous == null) {
        if (log) {
          LOG.warn("Stream state of source '{}': the restored state does not record its plan (taken before state was keyed "
              + "by group version): every group starts clean", source);
        }
      } else {
        plan = plan.withTimersOf(previous);
        for (StatePlan.Change change : plan.upgradeFrom(previous, source)) {
          if (!log) {
            break;
          } else if (change.outcome() == StatePlan.Outcome.NEW || change.outcome() == StatePlan.Outcome.CHANGED) {
            LOG.warn(change.message());
          } else {
            LOG.info(change.message());
          }
        }
      }
    }
    timerLatenesses = plan.latenessesMicros().stream().mapToLong(Long::longValue).toArray();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    planState.update(plan.entries());
  }

  @Override
  public void open(OpenContext context) {
    tilers = new HashMap<>();
    for (GroupTiler tiler : tilers(project, groups)) {
      CompiledGroup group = tiler.group();
      tilers.put(TileStateKey.group(group.name(), group.version()), tiler);
    }
    tiles = getRuntimeContext().getMapState(new MapStateDescriptor<>("open-tiles", Types.TUPLE(Types.LONG, Types.LONG),
        PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO));
    rejected = getRuntimeContext().getMetricGroup().counter("rejectedTileEvents");
    updates = getRuntimeContext().getMetricGroup().counter("tileUpdates");
    dropped = getRuntimeContext().getMetricGroup().counter("droppedStateKeys");
  }

  @Override
  public void processElement(KeyedEvent event, Context ctx, Collector<EncodedTile> out) throws Exception {
    GroupTiler tiler = tilers.get(TileStateKey.groupOf(event.stateKey()));
    if (tiler == null) {
      throw new IllegalStateException("Cannot tile an event keyed " + event.stateKey() + ": no online group version of the plan has its key");
    }
    CompiledGroup group = tiler.group();
    if (isLate(event.micros(), allowedLatenessMicros, ctx.timerService().currentWatermark())) {
      // Not reached when KeyFunction filtered upstream (it sees a watermark at least as late); a guard.
      rejected.inc();
      ctx.output(deadLetters, new DeadLetter(source, "late event: " + group.name()
          + " accepts events up to the allowed lateness behind the watermark", Rows.describe(event.row())));
      return;
    }
    // Every spec's new tile first, state after: an event that fails one spec changes none.
    int specs = tiler.specCount();
    List<Tuple2<Long, Long>> ids = new ArrayList<>(specs);
    byte[][] previous = new byte[specs][];
    byte[][] updated = new byte[specs][];
    try {
      for (int s = 0; s < specs; s++) {
        ids.add(Tuple2.of(tiler.hop(s), tiler.tileStart(s, event.micros())));
        previous[s] = tiles.get(ids.get(s));
        RowAggregator agg = tiler.aggregator(s);
        updated[s] = agg.encode(tiler.update(s, previous[s] == null ? null : agg.decode(previous[s]), event.row()));
      }
    } catch (RuntimeException e) {
      rejected.inc();
      ctx.output(deadLetters, new DeadLetter(source, "cannot aggregate the event in group '" + group.name() + "': "
          + e.getMessage(), Rows.describe(event.row())));
      return;
    }
    for (int s = 0; s < specs; s++) {
      Tuple2<Long, Long> id = ids.get(s);
      tiles.put(id, updated[s]);
      if (previous[s] == null) {
        ctx.timerService().registerEventTimeTimer(cleanupTimer(tiler.geometry().tileEnd(s, id.f1), allowedLatenessMicros));
      }
      updates.inc();
      out.collect(new EncodedTile(group.name(), group.version(), Arrays.asList(event.key()), id.f0, id.f1, updated[s], event.micros()));
    }
  }

  /** The cleanup timer of a tile ending at {@code tileEnd}: when the watermark passes its end plus the allowed lateness (ms, rounded up). */
  private static long cleanupTimer(long tileEnd, long allowedLatenessMicros) {
    return Math.floorDiv(tileEnd + allowedLatenessMicros + 999, 1000L);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EncodedTile> out) throws Exception {
    GroupTiler tiler = tilers.get(TileStateKey.groupOf(ctx.getCurrentKey()));
    if (tiler == null) {
      // A key of a group version this plan does not stream (restored from a savepoint of an
      // earlier plan): its first timer drops all its tiles, the later ones find nothing.
      if (!tiles.isEmpty()) {
        tiles.clear();
        dropped.inc();
      }
      return;
    }
    // Only the tiles whose own cleanup time this is: looking them up by start keeps a timer
    // O(specs), where scanning the key's tiles made busy keys quadratic. Timers restored from a
    // plan with another allowed lateness keep their times, so each lateness is tried; a tile such
    // a timer finds too early for the current lateness waits for a timer of its own.
    TileGeometry geometry = tiler.geometry();
    for (int s = 0; s < tiler.specCount(); s++) {
      long hop = tiler.hop(s);
      for (long lateness : timerLatenesses) {
        // The latest tile whose timer this can be ends at or before timestamp - lateness (ms rounding).
        long latestEnd = timestamp * 1000L - lateness;
        for (long start = geometry.tileStart(s, latestEnd - 1); cleanupTimer(geometry.tileEnd(s, start), lateness) >= timestamp;
            start = geometry.tileStart(s, start - 1)) {
          if (cleanupTimer(geometry.tileEnd(s, start), lateness) != timestamp) {
            continue;
          }
          Tuple2<Long, Long> id = Tuple2.of(hop, start);
          long due = cleanupTimer(geometry.tileEnd(s, start), allowedLatenessMicros);
          if (due <= timestamp) {
            tiles.remove(id); // closed for good: Redis keeps it, state need not
          } else if (tiles.contains(id)) {
            ctx.timerService().registerEventTimeTimer(due);
          }
        }
      }
    }
  }
}
