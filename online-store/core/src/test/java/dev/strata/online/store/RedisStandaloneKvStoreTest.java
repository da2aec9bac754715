package dev.strata.online.store;

import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import redis.clients.jedis.UnifiedJedis;

/**
 * The contract on a standalone Redis (database 9), streamed in small chunks (every call spans
 * several) and pipelined, on a pool of one connection: a call that left it mid-stream would break
 * the next.
 */
class RedisStandaloneKvStoreTest {
  static final OnlineStoreConfig CONFIG = OnlineStoreConfig.fromUrl("redis://127.0.0.1:6379/9?max_connections=1");

  abstract static class OnRedis extends KvStoreContract {
    final UnifiedJedis redis = RedisConnections.open(CONFIG);
    final String prefix = "t-kv-" + System.nanoTime();

    @Override
    protected String prefix() {
      return prefix;
    }

    @AfterEach
    void cleanUp() {
      List<String> keys = List.copyOf(redis.keys(prefix + ":*"));
      if (!keys.isEmpty()) {
        redis.del(keys.toArray(String[]::new));
      }
      redis.close();
    }
  }

  @Nested
  class Streamed extends OnRedis {
    @Override
    protected KvStore store() {
      return RedisKvStore.builder(redis).streamRequests(64).build();
    }
  }

  @Nested
  class Pipelined extends OnRedis {
    @Override
    protected KvStore store() {
      return RedisKvStore.builder(redis).pipelined().build();
    }
  }
}
