package dev.strata.stream;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.online.KeyTiles;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.OnlineStoreException;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.TileWriter;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * Tiles to Redis through online-store's {@link TileWriter} (layout, roll-ups, trimming, TTL are
 * its business): a batch's tiles are grouped per (group, entity key) and written in pipelined
 * round trips. The writer overwrites whole tiles, so a batch replayed after a restore rewrites the
 * same bytes. A Redis failure fails the batch; Flink then restarts from the last checkpoint and
 * writes the tiles again.
 */
public final class RedisTileSink implements TileSink {
  private final UnifiedJedis redis;
  private final TileWriter writer;
  private final Map<String, GroupTiler> tilers = new HashMap<>();

  private RedisTileSink(CompiledPlan plan, OnlineStoreConfig config) {
    this.redis = RedisConnections.open(config);
    this.writer = TileWriter.builder(plan, redis).layout(new RedisLayout(config.prefix())).build();
    for (var g : plan.groups()) {
      if (g.online()) {
        tilers.put(g.name(), GroupTiler.of(plan, g.name()));
      }
    }
  }

  /** A factory for the job: the Redis URL (redis:// or rediss://, as in strata.yaml) and the project. */
  public static Factory factory(ProjectFiles project, String redisUrl) {
    OnlineStoreConfig.fromUrl(redisUrl); // a bad URL fails here, before the job is submitted
    return () -> new RedisTileSink(project.plan(), OnlineStoreConfig.fromUrl(redisUrl));
  }

  /**
   * Fails fast, before a job is submitted, when Redis cannot be reached: a running job would only
   * restart again and again.
   *
   * @throws IllegalArgumentException with one sentence
   */
  public static void checkReachable(String redisUrl) {
    OnlineStoreConfig config = OnlineStoreConfig.fromUrl(redisUrl);
    try (UnifiedJedis probe = RedisConnections.open(config)) {
      probe.ping();
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Cannot reach Redis at " + config.describe() + ": " + StreamJob.rootMessage(e));
    }
  }

  @Override
  public void write(List<TileWrite> tiles) throws IOException {
    Map<String, KeyBatch> byKey = new LinkedHashMap<>();
    for (TileWrite t : tiles) {
      GroupTiler tiler = tilers.get(t.group());
      if (tiler == null || !tiler.group().version().equals(t.version())) {
        throw new IOException("Cannot write tiles of group '" + t.group() + "' version " + t.version()
            + ": the job's plan has no such online group version");
      }
      KeyBatch b = byKey.computeIfAbsent(t.group() + '\u0000' + TileStateKey.encodeEntity(t.key()), k -> new KeyBatch(t, tiler.specCount()));
      int spec = specOf(tiler, t.hopMicros());
      b.tiles.get(spec).put(t.tileStart(), tiler.aggregator(spec).decode(t.bytes()));
      b.latest = Math.max(b.latest, t.eventMicros());
    }
    List<KeyTiles> batch = new ArrayList<>(byKey.size());
    for (KeyBatch b : byKey.values()) {
      batch.add(new KeyTiles(b.group, b.key, b.tiles, b.latest));
    }
    try {
      writer.write(batch);
    } catch (OnlineStoreException e) {
      throw new IOException(e.getMessage(), e);
    }
  }

  private static int specOf(GroupTiler tiler, long hop) {
    for (int s = 0; s < tiler.specCount(); s++) {
      if (tiler.hop(s) == hop) {
        return s;
      }
    }
    throw new IllegalArgumentException("Cannot write a tile of group '" + tiler.group().name() + "': no tiles of hop " + hop);
  }

  @Override
  public void close() {
    redis.close();
  }

  private static final class KeyBatch {
    final String group;
    final List<Object> key;
    final List<Map<Long, Object[]>> tiles = new ArrayList<>();
    long latest = Long.MIN_VALUE;

    KeyBatch(TileWrite first, int specs) {
      this.group = first.group();
      this.key = first.keyList();
      for (int s = 0; s < specs; s++) {
        tiles.add(new HashMap<>());
      }
    }
  }
}
