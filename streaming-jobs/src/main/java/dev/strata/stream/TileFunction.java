package dev.strata.stream;

import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.online.EncodedTile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.typeinfo.PrimitiveArrayTypeInfo;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Keeps the open tiles of one (group, entity key) in keyed state and emits a tile's whole new
 * state each time an event changes it. State holds the canonical encoded IRs, so what is
 * checkpointed, restored and written is exactly what batch builds for the same events.
 *
 * <p>An event is accepted while {@code event time + allowed lateness ≥ watermark}; a tile leaves
 * state once the watermark passes {@code tile end + allowed lateness}, when no accepted event
 * can reach it any more. Later events go to the dead letters.
 */
final class TileFunction extends KeyedProcessFunction<String, KeyedEvent, EncodedTile> {
  private static final long serialVersionUID = 1L;

  private final ProjectFiles project;
  private final String source;
  private final List<String> groups;
  private final long allowedLatenessMicros;
  private final OutputTag<DeadLetter> deadLetters;

  private transient GroupTiler[] tilers;
  private transient String[] versions;
  private transient List<MapState<Long, byte[]>> tiles;
  private transient Counter rejected;
  private transient Counter updates;

  TileFunction(ProjectFiles project, String source, List<String> groups, long allowedLatenessMicros,
      OutputTag<DeadLetter> deadLetters) {
    this.project = project;
    this.source = source;
    this.groups = List.copyOf(groups);
    this.allowedLatenessMicros = allowedLatenessMicros;
    this.deadLetters = deadLetters;
  }

  static GroupTiler[] tilers(ProjectFiles project, List<String> groups) {
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
  public void open(OpenContext context) {
    tilers = tilers(project, groups);
    versions = new String[tilers.length];
    int specs = 0;
    for (int g = 0; g < tilers.length; g++) {
      CompiledGroup group = tilers[g].group();
      versions[g] = group.version();
      specs = Math.max(specs, tilers[g].specCount());
    }
    // One map (tile start → encoded IRs) per tile spec; a key belongs to one group, whose
    // spec i uses map i.
    tiles = new ArrayList<>();
    for (int s = 0; s < specs; s++) {
      tiles.add(getRuntimeContext().getMapState(
          new MapStateDescriptor<>("tiles-" + s, Types.LONG, PrimitiveArrayTypeInfo.BYTE_PRIMITIVE_ARRAY_TYPE_INFO)));
    }
    rejected = getRuntimeContext().getMetricGroup().counter("rejectedTileEvents");
    updates = getRuntimeContext().getMetricGroup().counter("tileUpdates");
  }

  @Override
  public void processElement(KeyedEvent event, Context ctx, Collector<EncodedTile> out) throws Exception {
    if (isLate(event.micros(), allowedLatenessMicros, ctx.timerService().currentWatermark())) {
      // Not reached when KeyFunction filtered upstream (it sees a watermark at least as late); a guard.
      rejected.inc();
      ctx.output(deadLetters, new DeadLetter(source, "late event: " + groups.get(event.group())
          + " accepts events up to the allowed lateness behind the watermark", Rows.describe(event.row())));
      return;
    }
    GroupTiler tiler = tilers[event.group()];
    // Every spec's new tile first, state after: an event that fails one spec changes none.
    long[] starts = new long[tiler.specCount()];
    byte[][] previous = new byte[starts.length][];
    byte[][] updated = new byte[starts.length][];
    try {
      for (int s = 0; s < starts.length; s++) {
        starts[s] = tiler.tileStart(s, event.micros());
        previous[s] = tiles.get(s).get(starts[s]);
        RowAggregator agg = tiler.aggregator(s);
        updated[s] = agg.encode(tiler.update(s, previous[s] == null ? null : agg.decode(previous[s]), event.row()));
      }
    } catch (RuntimeException e) {
      rejected.inc();
      ctx.output(deadLetters, new DeadLetter(source, "cannot aggregate the event in group '" + groups.get(event.group()) + "': "
          + e.getMessage(), Rows.describe(event.row())));
      return;
    }
    for (int s = 0; s < starts.length; s++) {
      tiles.get(s).put(starts[s], updated[s]);
      if (previous[s] == null) {
        ctx.timerService().registerEventTimeTimer(cleanupTimer(starts[s], tiler.hop(s)));
      }
      updates.inc();
      out.collect(new EncodedTile(groups.get(event.group()), versions[event.group()], Arrays.asList(event.key()), tiler.hop(s), starts[s],
          updated[s], event.micros()));
    }
  }

  /** The cleanup timer of a tile: when the watermark passes its end plus the allowed lateness (ms, rounded up). */
  private long cleanupTimer(long start, long hop) {
    return Math.floorDiv(start + hop + allowedLatenessMicros + 999, 1000L);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<EncodedTile> out) throws Exception {
    // Only the tiles whose own cleanup time this is: looking them up by start keeps a timer
    // O(specs), where scanning the key's tiles made busy keys quadratic.
    GroupTiler tiler = tilers[Keys.groupOf(ctx.getCurrentKey())];
    for (int s = 0; s < tiler.specCount(); s++) {
      long hop = tiler.hop(s);
      long latest = timestamp * 1000L - hop - allowedLatenessMicros; // cleanupTimer(start) == timestamp
      for (long start = Math.floorDiv(latest, hop) * hop; cleanupTimer(start, hop) == timestamp; start -= hop) {
        tiles.get(s).remove(start); // closed for good: Redis keeps it, state need not
      }
    }
  }
}
