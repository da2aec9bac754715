package dev.strata.online.store;

import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.OnlineStoreException;
import dev.strata.online.RedisConnections;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@link KvStore} on Redis: keys are hashes, reads are HMGET, writes HSET, HDEL and PEXPIRE (or
 * PERSIST), field names HKEYS, all pipelined. A standalone server and a Redis Cluster each have
 * their own read transport ({@link #of}); writes and field-name reads go through Jedis's pipeline,
 * which follows a cluster's slots.
 *
 * <p>Command arguments are wrapped, never copied: Jedis's own byte[] arguments copy every key,
 * field and value. A caller must not change an array it handed over until the call returns.
 */
public abstract class RedisKvStore implements KvStore {
  final UnifiedJedis redis;
  private final boolean ownsClient;

  RedisKvStore(UnifiedJedis redis, boolean ownsClient) {
    this.redis = Objects.requireNonNull(redis, "redis");
    this.ownsClient = ownsClient;
  }

  /** A store on a client the caller owns (and closes), streaming its reads. */
  public static RedisKvStore of(UnifiedJedis redis) {
    return builder(redis).build();
  }

  /**
   * A store with its own client for the Redis {@code config} describes (closed with the store).
   *
   * @throws IllegalArgumentException for a configuration that cannot be used (e.g. a missing CA file)
   */
  public static RedisKvStore open(OnlineStoreConfig config) {
    return new Builder(RedisConnections.open(config), true).build();
  }

  public static Builder builder(UnifiedJedis redis) {
    return new Builder(redis, false);
  }

  /** Prepared field names: the wire form is built once. */
  static final class RedisFields implements Fields {
    final List<byte[]> names;
    final Rawable[] raw;

    RedisFields(List<byte[]> names) {
      this.names = List.copyOf(names);
      this.raw = new Rawable[names.size()];
      for (int i = 0; i < raw.length; i++) {
        raw[i] = new RawBytes(this.names.get(i));
      }
    }

    @Override
    public List<byte[]> names() {
      return names;
    }
  }

  @Override
  public Fields fields(List<byte[]> names) {
    return new RedisFields(names);
  }

  static RedisFields redisFields(Fields fields) {
    if (fields instanceof RedisFields r) {
      return r;
    }
    return new RedisFields(fields.names());
  }

  /** HMGET's arguments, wrapped. */
  static CommandArguments hmget(Get get) {
    CommandArguments args = new CommandArguments(Protocol.Command.HMGET).key(new RawBytes(get.key()));
    for (Rawable field : redisFields(get.fields()).raw) {
      args.add(field);
    }
    return args;
  }

  /**
   * Every request in Jedis's pipeline, in {@code order} (indexes into the requests), then every
   * reply to the handler in that order.
   */
  void pipelinedGet(List<Get> requests, int[] order, Replies replies) {
    @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
    Response<List<byte[]>>[] responses = new Response[requests.size()];
    try (AbstractPipeline p = redis.pipelined()) {
      for (int i : order) {
        responses[i] = p.executeCommand(new CommandObject<>(hmget(requests.get(i)), BuilderFactory.BINARY_LIST));
      }
      p.sync();
    } catch (JedisException e) {
      throw failed(e);
    }
    for (int i : order) {
      List<byte[]> values;
      try {
        values = responses[i].get();
      } catch (JedisException e) {
        throw failed(e);
      }
      replies.accept(i, values);
    }
  }

  static int[] inOrder(int n) {
    int[] order = new int[n];
    Arrays.setAll(order, i -> i);
    return order;
  }

  @Override
  public List<List<byte[]>> fieldNames(List<byte[]> keys) {
    List<Response<java.util.Set<byte[]>>> responses = new ArrayList<>(keys.size());
    try {
      try (AbstractPipeline p = redis.pipelined()) {
        for (byte[] key : keys) {
          responses.add(p.hkeys(key));
        }
        p.sync();
      }
      List<List<byte[]>> out = new ArrayList<>(keys.size());
      for (Response<java.util.Set<byte[]>> r : responses) {
        out.add(new ArrayList<>(r.get()));
      }
      return out;
    } catch (JedisException e) {
      throw failed(e);
    }
  }

  @Override
  public void multiPut(List<Put> puts) {
    try (AbstractPipeline p = redis.pipelined()) {
      for (Put put : puts) {
        RawBytes key = new RawBytes(put.key());
        if (!put.fields().isEmpty()) {
          CommandArguments hset = new CommandArguments(Protocol.Command.HSET).key(key);
          for (int i = 0; i < put.fields().size(); i++) {
            hset.add(new RawBytes(put.fields().get(i))).add(new RawBytes(put.values().get(i)));
          }
          p.executeCommand(new CommandObject<>(hset, BuilderFactory.LONG));
        }
        if (!put.deletes().isEmpty()) {
          CommandArguments hdel = new CommandArguments(Protocol.Command.HDEL).key(key);
          put.deletes().forEach(d -> hdel.add(new RawBytes(d)));
          p.executeCommand(new CommandObject<>(hdel, BuilderFactory.LONG));
        }
        if (put.ttlMillis() > 0) {
          p.pexpire(put.key(), put.ttlMillis());
        } else {
          p.persist(put.key());
        }
      }
      p.sync();
    } catch (JedisException e) {
      throw failed(e);
    }
  }

  /** A Redis failure as the store's exception: the callers say what they were doing. */
  static OnlineStoreException failed(RuntimeException e) {
    return new OnlineStoreException("Redis failed (" + e.getMessage() + ")", e);
  }

  @Override
  public void close() {
    if (ownsClient) {
      redis.close();
    }
  }

  public static final class Builder {
    private final UnifiedJedis redis;
    private final boolean owns;
    private int streamRequests = 100;

    private Builder(UnifiedJedis redis, boolean owns) {
      this.redis = Objects.requireNonNull(redis, "redis");
      this.owns = owns;
    }

    /**
     * HMGETs per streamed chunk on a standalone server (default 100): chunks are written ahead and
     * each chunk's replies are handed over while the server answers the next. A cluster streams
     * per node instead.
     */
    public Builder streamRequests(int requests) {
      if (requests < 1) {
        throw new IllegalArgumentException("Cannot stream chunks of " + requests + " requests: at least 1 is needed");
      }
      this.streamRequests = requests;
      return this;
    }

    /**
     * Reads with one pipeline per call instead of streaming (the cluster's own pipeline against a
     * cluster): the caller may then split a request over threads ({@link #parallelReads()}).
     */
    public Builder pipelined() {
      this.streamRequests = 0;
      return this;
    }

    public RedisKvStore build() {
      if (redis instanceof RedisClusterClient cluster) {
        return new RedisClusterKvStore(cluster, owns, streamRequests > 0);
      }
      if (redis instanceof RedisClient client) {
        return new RedisStandaloneKvStore(client, owns, streamRequests);
      }
      throw new IllegalArgumentException("Cannot use a " + redis.getClass().getSimpleName()
          + " as the online store: expected a RedisClient or a RedisClusterClient");
    }
  }
}
