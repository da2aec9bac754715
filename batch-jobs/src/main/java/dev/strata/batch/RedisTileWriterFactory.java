package dev.strata.batch;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanCompiler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.online.KeyTiles;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.UnifiedJedis;

/**
 * Materialize into Redis through the online store's writer (the same one the Flink sink uses),
 * so batch and stream write the same layout. Tiles are grouped by entity key and written in
 * batches; the writer's whole-tile overwrites make a rerun rewrite the same bytes.
 */
public final class RedisTileWriterFactory implements TileWriter.Factory {
  /** Keys per write: bounds the driver's memory while keeping pipelines long. */
  private static final int KEYS_PER_BATCH = 2_000;

  @Override
  public TileWriter create(StrataConfig config) {
    ProjectLoader.Loaded loaded = ProjectLoader.load(config.projectDir());
    PlanCompiler.Result result = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
    CompiledPlan plan = result.plan().orElseThrow(() -> new JobException(
        "Cannot materialize: the definitions in " + config.projectDir() + " have errors (run strata validate)."));
    OnlineStoreConfig store = OnlineStoreConfig.fromStrataConfig(config);
    UnifiedJedis redis = RedisConnections.open(store);
    dev.strata.online.TileWriter writer =
        dev.strata.online.TileWriter.builder(plan, redis).layout(new RedisLayout(store.prefix())).build();
    return new Writer(plan, redis, writer);
  }

  private static final class Writer implements TileWriter {
    private final CompiledPlan plan;
    private final UnifiedJedis redis;
    private final dev.strata.online.TileWriter writer;
    private final Map<String, GroupTiler> tilers = new HashMap<>();
    private final Map<List<Object>, List<Map<Long, Object[]>>> pending = new LinkedHashMap<>();
    private String pendingGroup;

    Writer(CompiledPlan plan, UnifiedJedis redis, dev.strata.online.TileWriter writer) {
      this.plan = plan;
      this.redis = redis;
      this.writer = writer;
    }

    @Override
    public void write(TileRecord tile) {
      if (pendingGroup != null && !pendingGroup.equals(tile.group())) {
        flush();
      }
      pendingGroup = tile.group();
      GroupTiler tiler = tilers.computeIfAbsent(tile.group(), g -> GroupTiler.of(plan, g));
      if (!tiler.group().version().equals(tile.groupVersion())) {
        throw new JobException("Cannot materialize group '" + tile.group() + "': its tiles are of version "
            + tile.groupVersion() + " but the definitions are at " + tiler.group().version() + " (run backfill first).");
      }
      int spec = specOf(tiler, tile.hopMicros());
      List<Map<Long, Object[]>> specs = pending.computeIfAbsent(tile.key(), k -> {
        List<Map<Long, Object[]>> l = new ArrayList<>();
        for (int s = 0; s < tiler.specCount(); s++) {
          l.add(new TreeMap<>());
        }
        return l;
      });
      specs.get(spec).put(tile.tileStartMicros(), tiler.aggregator(spec).decode(tile.tile()));
      if (pending.size() >= KEYS_PER_BATCH) {
        flush();
      }
    }

    private static int specOf(GroupTiler tiler, long hop) {
      for (int s = 0; s < tiler.specCount(); s++) {
        if (tiler.hop(s) == hop) {
          return s;
        }
      }
      throw new JobException("Cannot materialize group '" + tiler.group().name() + "': no tile of hop " + hop + "us");
    }

    private void flush() {
      if (pending.isEmpty()) {
        return;
      }
      List<KeyTiles> batch = new ArrayList<>(pending.size());
      // The latest event time is not in the tiles table: the writer then uses the newest tile start.
      pending.forEach((key, specs) -> batch.add(new KeyTiles(pendingGroup, key, specs, Long.MIN_VALUE)));
      writer.write(batch);
      pending.clear();
    }

    @Override
    public void close() {
      try {
        flush();
      } finally {
        redis.close();
      }
    }
  }
}
