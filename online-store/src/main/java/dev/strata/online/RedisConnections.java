package dev.strata.online;

import java.util.LinkedHashSet;
import java.util.Set;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** Opens Jedis clients (standalone or cluster) from an {@link OnlineStoreConfig}. */
public final class RedisConnections {
  private RedisConnections() {}

  public static UnifiedJedis open(OnlineStoreConfig config) {
    DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(config.connectTimeoutMillis())
        .socketTimeoutMillis(config.socketTimeoutMillis())
        .ssl(config.tls())
        .clientName("strata-online");
    if (config.password() != null) {
      client.password(config.password());
      if (config.user() != null) {
        client.user(config.user());
      }
    }
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(config.maxConnections());
    pool.setMaxIdle(config.maxConnections());
    // Fail fast when the pool is exhausted or Redis is down: callers turn it into a 503.
    pool.setMaxWait(java.time.Duration.ofMillis(config.connectTimeoutMillis()));
    pool.setJmxEnabled(false);
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    for (String node : config.nodes()) {
      nodes.add(HostAndPort.from(node));
    }
    if (config.cluster()) {
      return RedisClusterClient.builder().nodes(nodes).clientConfig(client.build()).poolConfig(pool).maxAttempts(2).build();
    }
    client.database(config.database());
    return RedisClient.builder().hostAndPort(nodes.iterator().next()).clientConfig(client.build()).poolConfig(pool).build();
  }
}
