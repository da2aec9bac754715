package dev.strata.stream;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.online.KvTileWriter;
import dev.strata.online.OnlineStore;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.TileWriter;

/**
 * Opens the online store's tile writer on Redis ({@link OnlineStore#openWriter}) where the job runs: the stream writes tiles
 * exactly as batch materialize does (layout, roll-ups, trimming and TTL are the writer's, so the
 * bytes are the same). By default it reads each key's roll-up blocks before it writes them; with
 * {@link #mirroring()} it is a <em>mirroring</em> one ({@link KvTileWriter.Builder#mirror}):
 * each sink subtask is the only writer of its keys (the tiles come straight from the keyed tiling
 * operator, one key per subtask), so it keeps an image of every hash it writes and computes the
 * roll-up blocks above each changed tile from it, without reading Redis before it writes; it reads
 * a key only the first time it writes it (and again after {@link #MIRROR_MAX_AGE_MS} or when the
 * image was dropped to stay within {@link #MIRROR_BYTES}).
 *
 * <p>Exactly once in effect, across restarts and Redis outages: every write is a whole-value
 * overwrite (HSET of a tile's encoded state, of each roll-up block as the merge of its two
 * children, of the key's latest event time; HDEL of blocks before the cut-off; PEXPIRE), computed
 * from tiles of checkpointed keyed state and from the hash as it is in Redis. The sink writes
 * every tile before a checkpoint barrier passes, so a completed checkpoint never covers an
 * unwritten tile. A failed write (Redis down) fails the task: the writer and its images are
 * dropped, Flink restores the last checkpoint and replays the events after it, and the new
 * writer loads each key from Redis again, then rewrites every tile changed since the checkpoint
 * and the blocks above it from restored state, the same bytes as a run without the failure. An
 * image is never carried across a failure, so nothing a failed attempt computed can leak into a
 * later write except through Redis itself, where the replay overwrites it.
 */
public final class RedisTileWriterFactory implements TileWriter.Factory {
  private static final long serialVersionUID = 1L;

  private final ProjectSnapshot project;
  private final String redisUrl;
  private final boolean mirror;

  private RedisTileWriterFactory(ProjectSnapshot project, String redisUrl, boolean mirror) {
    this.project = project;
    this.redisUrl = redisUrl;
    this.mirror = mirror;
  }

  /**
   * The same factory with a mirroring writer (no read before a write). Only for a stream that is the
   * only writer of its group versions: a materialize of a streamed version (the hourly incremental
   * materialize of a rendered deployment, for one) is seen up to {@link #MIRROR_MAX_AGE_MS} late,
   * and roll-up blocks written from an image older than its tiles stay wrong until rewritten.
   * Off by default for that reason ({@code --sink-mirror} turns it on).
   */
  public RedisTileWriterFactory mirroring() {
    return new RedisTileWriterFactory(project, redisUrl, true);
  }

  /**
   * A factory for the job: the Redis URL (redis:// or rediss://, as in strata.yaml) and the project.
   *
   * @throws IllegalArgumentException for a bad URL, before the job is submitted
   */
  public static RedisTileWriterFactory of(ProjectSnapshot project, String redisUrl) {
    OnlineStoreConfig.fromUrl(redisUrl);
    return new RedisTileWriterFactory(project, redisUrl, false);
  }

  /** The images of one sink subtask's writer take about this much heap at most (the least recently written keys go first). */
  public static final long MIRROR_BYTES = 128L << 20;
  /**
   * Each image is loaded again from Redis after this long: a concurrent writer of the same keys (a
   * materialize of a streamed group version) is seen within it.
   */
  public static final long MIRROR_MAX_AGE_MS = 60_000;

  @Override
  public TileWriter open() {
    return mirror
        ? OnlineStore.openWriter(project.plan(), OnlineStoreConfig.fromUrl(redisUrl), b -> b.mirror(MIRROR_BYTES, MIRROR_MAX_AGE_MS))
        : OnlineStore.openWriter(project.plan(), OnlineStoreConfig.fromUrl(redisUrl));
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
