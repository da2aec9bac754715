package dev.strata.online;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.online.store.KvStore;
import dev.strata.online.store.RedisKvStore;
import java.util.List;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * A project's online store: its plan, the {@link KvStore} under it and the layout that names its
 * keys, wired once. Readers and writers come from here, so no caller repeats the wiring of a
 * connection, a layout and a plan.
 */
public final class OnlineStore implements AutoCloseable {
  private final CompiledPlan plan;
  private final KvStore store;
  private final RedisLayout layout;

  private OnlineStore(CompiledPlan plan, KvStore store, RedisLayout layout) {
    this.plan = Objects.requireNonNull(plan, "plan");
    this.store = Objects.requireNonNull(store, "store");
    this.layout = Objects.requireNonNull(layout, "layout");
  }

  /**
   * The Redis (standalone or Cluster) that {@code config} describes, with its key prefix; the
   * connections are closed with this object.
   *
   * @throws IllegalArgumentException for a configuration that cannot be used
   */
  public static OnlineStore open(CompiledPlan plan, OnlineStoreConfig config) {
    return new OnlineStore(plan, RedisKvStore.open(config), new RedisLayout(config.prefix()));
  }

  /** A store the caller opened (and closes, unless it closes this object). */
  public static OnlineStore of(CompiledPlan plan, KvStore store, RedisLayout layout) {
    return new OnlineStore(plan, store, layout);
  }

  /**
   * A tile writer on its own connections to the Redis {@code config} describes, closing them when
   * it is closed: what a job that only writes needs.
   */
  public static TileWriter openWriter(CompiledPlan plan, OnlineStoreConfig config) {
    return openWriter(plan, config, UnaryOperator.identity());
  }

  /**
   * {@link #openWriter(CompiledPlan, OnlineStoreConfig)} with the writer's options set by {@code
   * options} (e.g. {@link KvTileWriter.Builder#mirror}).
   */
  public static TileWriter openWriter(CompiledPlan plan, OnlineStoreConfig config, UnaryOperator<KvTileWriter.Builder> options) {
    OnlineStore online = open(plan, config);
    TileWriter writer = options.apply(online.writer()).build();
    return new TileWriter() {
      @Override
      public void write(List<EncodedTile> tiles) {
        writer.write(tiles);
      }

      @Override
      public void close() {
        online.close();
      }
    };
  }

  /**
   * Checks that the Redis {@code config} describes answers (a PING on a connection of its own).
   *
   * @throws RuntimeException from the client when it does not
   */
  public static void ping(OnlineStoreConfig config) {
    try (redis.clients.jedis.UnifiedJedis probe = RedisConnections.open(config)) {
      probe.ping();
    }
  }

  public CompiledPlan plan() {
    return plan;
  }

  public KvStore store() {
    return store;
  }

  public RedisLayout layout() {
    return layout;
  }

  /** A reader of this store (further options on the builder). */
  public OnlineReader.Builder reader() {
    return OnlineReader.builder(plan, store).layout(layout);
  }

  /** A tile writer into this store (further options on the builder). */
  public KvTileWriter.Builder writer() {
    return KvTileWriter.builder(plan, store).layout(layout);
  }

  @Override
  public void close() {
    store.close();
  }
}
