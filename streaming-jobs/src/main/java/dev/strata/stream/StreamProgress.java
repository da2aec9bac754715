package dev.strata.stream;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryConfig;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records the stream's progress in the job ledger when a checkpoint completes: per subtask and
 * group version, the latest event time of the tiles it saw and the watermark, as a {@link
 * JobKind#STREAM} run whose id stays the same for the life of the job ({@link
 * dev.strata.dsl.registry.JobLedger#recordProgress}: one row per subtask and group version, not one
 * per checkpoint). It sees the same tiles as the tile sink, in the same order, and the sink writes
 * every tile before a checkpoint's barrier passes: what a completed checkpoint records is in the
 * online store. A catalog that is not a JDBC database has no ledger: nothing is recorded. The run covers [first, latest event] (exclusive end: latest + 1 µs); its detail
 * is JSON with {@code latest_event}, {@code watermark} (as of the last tile before the checkpoint),
 * {@code checkpoint}, {@code job} (the Flink job id), {@code subtask}, {@code source} and {@code tiles}.
 *
 * <p>The ledger is bookkeeping: a registry that cannot be opened or written is logged and the
 * stream goes on. Nothing is kept in Flink state: after a restore the replayed events bring the
 * values back.
 */
final class StreamProgress extends ProcessFunction<EncodedTile, Void> implements CheckpointedFunction, CheckpointListener {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(StreamProgress.class);

  private final StreamPipeline.LedgerTarget target;
  private final String source;
  private transient Registry registry;
  private transient Map<String, long[]> current; // "group\u0000version" -> {first event, latest event, tiles}
  private transient long watermark;
  private transient NavigableMap<Long, Snapshot> pending;
  private transient Instant started;

  private record Snapshot(Map<String, long[]> groups, long watermark) {}

  StreamProgress(StreamPipeline.LedgerTarget target, String source) {
    this.target = target;
    this.source = source;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) {
    current = new LinkedHashMap<>();
    pending = new TreeMap<>();
    watermark = Long.MIN_VALUE;
    started = Instant.now();
  }

  @Override
  public void processElement(EncodedTile tile, Context ctx, Collector<Void> out) {
    long[] p = current.computeIfAbsent(tile.group() + '\u0000' + tile.groupVersion(),
        k -> new long[] {Long.MAX_VALUE, Long.MIN_VALUE, 0});
    p[0] = Math.min(p[0], tile.latestEventMicros());
    p[1] = Math.max(p[1], tile.latestEventMicros());
    p[2]++;
    watermark = ctx.timerService().currentWatermark();
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) {
    Map<String, long[]> copy = new LinkedHashMap<>();
    current.forEach((k, v) -> copy.put(k, v.clone()));
    pending.put(context.getCheckpointId(), new Snapshot(copy, watermark));
  }

  @Override
  public void notifyCheckpointComplete(long checkpointId) {
    Map.Entry<Long, Snapshot> done = pending.floorEntry(checkpointId);
    if (done == null) {
      return;
    }
    for (Iterator<Long> it = pending.headMap(checkpointId, true).keySet().iterator(); it.hasNext(); ) {
      it.next();
      it.remove(); // subsumed by the completed checkpoint
    }
    Registry ledger = ledger();
    if (ledger == null) {
      return;
    }
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    String job = getRuntimeContext().getJobInfo().getJobId().toString();
    try {
      for (Map.Entry<String, long[]> e : done.getValue().groups().entrySet()) {
        String[] groupVersion = e.getKey().split("\u0000", 2);
        long[] p = e.getValue();
        ObjectNode detail = JsonNodeFactory.instance.objectNode()
            .put("job", job).put("source", source).put("subtask", subtask).put("checkpoint", done.getKey())
            .put("latest_event", Durations.formatInstant(p[1])).put("tiles", p[2]);
        long wm = done.getValue().watermark();
        if (wm == Long.MIN_VALUE || wm == Long.MAX_VALUE) {
          detail.putNull("watermark");
        } else {
          detail.put("watermark", Durations.formatInstant(Math.multiplyExact(wm, 1000L)));
        }
        ledger.jobs().recordProgress(JobRun.builder(target.project(), JobKind.STREAM, groupVersion[0], groupVersion[1])
            .runId("stream/" + job + "/" + source + "/" + subtask + "/" + groupVersion[0] + "/" + groupVersion[1])
            .covered(p[0], p[1] + 1).rows(p[2]).times(started, Instant.now()).detail(detail.toString()).build());
      }
    } catch (RuntimeException e) {
      LOG.warn("Cannot record the stream's progress in the job ledger: {}", e.getMessage());
    }
  }

  private Registry ledger() {
    if (registry == null && target != null && target.catalogUri() != null && target.catalogUri().startsWith("jdbc:")) {
      try {
        registry = Registry.open(new RegistryConfig(target.catalogUri(), target.user(), target.password()));
      } catch (RuntimeException e) {
        LOG.warn("Cannot open the job ledger to record the stream's progress: {}", e.getMessage());
      }
    }
    return registry;
  }

  @Override
  public void close() throws Exception {
    if (registry != null) {
      registry.close();
      registry = null;
    }
    super.close();
  }
}
