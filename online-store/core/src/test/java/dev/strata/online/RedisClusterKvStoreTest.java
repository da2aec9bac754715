package dev.strata.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.online.store.KvStore;
import dev.strata.online.store.KvStoreContract;
import dev.strata.online.store.RedisKvStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import redis.clients.jedis.UnifiedJedis;

/**
 * The {@link KvStore} contract on a three-node Redis Cluster with one connection per node,
 * streamed per node and through the cluster's pipeline.
 */
class RedisClusterKvStoreTest {
  static final List<Process> NODES = new ArrayList<>();
  static UnifiedJedis redis;

  @BeforeAll
  static void startCluster() throws Exception {
    assumeTrue(RedisServers.available(), "redis-server is not installed");
    Path dir = Files.createTempDirectory("strata-kv-cluster");
    List<String> hosts = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      int port = RedisServers.freePort();
      Path nodeDir = Files.createDirectories(dir.resolve("n" + i));
      NODES.add(RedisServers.start(port, nodeDir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
          "--cluster-node-timeout", "2000"));
      hosts.add("127.0.0.1:" + port);
    }
    List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
    create.addAll(hosts);
    create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
    Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(dir.resolve("create.log").toFile()).start();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(Files.readString(dir.resolve("create.log"))).isZero();
    RestartAndClusterTest.waitForClusterOk(hosts);
    redis = RedisConnections.open(OnlineStoreConfig.fromUrl("redis://" + String.join(",", hosts) + "?max_connections=1"));
  }

  @AfterAll
  static void stopCluster() throws Exception {
    if (redis != null) {
      redis.close();
    }
    for (Process node : NODES) {
      RedisServers.stop(node);
    }
  }

  @Nested
  class Streamed extends KvStoreContract {
    @Override
    protected KvStore store() {
      return RedisKvStore.of(redis);
    }

    @Override
    protected String prefix() {
      return "s";
    }
  }

  @Nested
  class Pipelined extends KvStoreContract {
    @Override
    protected KvStore store() {
      return RedisKvStore.builder(redis).pipelined().build();
    }

    @Override
    protected String prefix() {
      return "p";
    }
  }
}
