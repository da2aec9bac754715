package dev.strata.stream;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.online.OnlineStore;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.TileWriter;

/**
 * Opens the online store's tile writer on Redis ({@link OnlineStore#openWriter}) where the job runs: the stream writes tiles
 * exactly as batch materialize does (layout, roll-ups, trimming and TTL are the writer's). The
 * writer overwrites whole tiles, so a batch replayed after a restore rewrites the same bytes; a
 * Redis failure fails the batch, and Flink restarts from the last checkpoint and writes the tiles
 * again.
 */
public final class RedisTileWriterFactory implements TileWriter.Factory {
  private static final long serialVersionUID = 1L;

  private final ProjectSnapshot project;
  private final String redisUrl;

  private RedisTileWriterFactory(ProjectSnapshot project, String redisUrl) {
    this.project = project;
    this.redisUrl = redisUrl;
  }

  /**
   * A factory for the job: the Redis URL (redis:// or rediss://, as in strata.yaml) and the project.
   *
   * @throws IllegalArgumentException for a bad URL, before the job is submitted
   */
  public static RedisTileWriterFactory of(ProjectSnapshot project, String redisUrl) {
    OnlineStoreConfig.fromUrl(redisUrl);
    return new RedisTileWriterFactory(project, redisUrl);
  }

  @Override
  public TileWriter open() {
    return OnlineStore.openWriter(project.plan(), OnlineStoreConfig.fromUrl(redisUrl));
  }

  /**
   * Fails fast, before a job is submitted, when Redis cannot be reached: a running job would only
   * restart again and again.
   *
   * @throws IllegalArgumentException with one sentence
   */
  public static void checkReachable(String redisUrl) {
    OnlineStoreConfig config = OnlineStoreConfig.fromUrl(redisUrl);
    try {
      OnlineStore.ping(config);
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Cannot reach Redis at " + config.describe() + ": " + StreamJob.rootMessage(e));
    }
  }
}
