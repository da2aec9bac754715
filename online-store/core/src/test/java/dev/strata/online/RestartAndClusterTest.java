package dev.strata.online;

import static dev.strata.online.FlightsFixture.EVENTS;
import static dev.strata.online.FlightsFixture.PLAN;
import static dev.strata.online.FlightsFixture.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.time.Durations;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.RedisKvStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * Separate redis-server processes on free ports: one restarted with its append-only file (the
 * same values after the restart), and a three-master Redis Cluster (slots follow the hash tag).
 */
class RestartAndClusterTest {
  static final long T = (Long) EVENTS.get(EVENTS.size() * 4 / 5)[0] + 7 * Durations.MINUTE;

  @TempDir
  Path dir;

  /** Materialize: every tile of every key built from the events before T, in one write. */
  static void materialize(TileWriter writer) {
    List<EncodedTile> batch = new ArrayList<>();
    for (EventTiler tiler : FlightsFixture.tilers()) {
      for (Object[] row : EVENTS) {
        if ((Long) row[0] < T) {
          tiler.add(row);
        }
      }
      batch.addAll(tiler.all());
    }
    writer.write(batch);
  }

  @Test
  void restartedServerServesTheSameValues() throws Exception {
    assumeTrue(RedisServers.available(), "redis-server is not installed");
    int port = RedisServers.freePort();
    String[] persistence = {"--appendonly", "yes", "--appendfsync", "always"};
    Process server = RedisServers.start(port, dir, persistence);
    List<Map<String, Object>> rows = FlightsFixture.rows(T, 80, 11);
    OnlineFeatures before;
    OnlineStoreConfig config = OnlineStoreConfig.fromUrl("redis://127.0.0.1:" + port + "?prefix=t-restart");
    try (UnifiedJedis redis = RedisConnections.open(config)) {
      materialize(KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(new RedisLayout(config.prefix())).build());
      before = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(new RedisLayout(config.prefix())).build().getOnlineFeatures(SERVICE, rows, T);
      FlightsFixture.assertMatchesOracle(before, rows, T);
    } finally {
      RedisServers.stop(server);
    }
    server = RedisServers.start(port, dir, persistence);
    try (UnifiedJedis redis = RedisConnections.open(config)) {
      OnlineFeatures after = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(new RedisLayout(config.prefix())).build()
          .getOnlineFeatures(SERVICE, rows, T);
      for (int r = 0; r < rows.size(); r++) {
        assertThat(after.row(r)).isEqualTo(before.row(r));
      }
      FlightsFixture.assertMatchesOracle(after, rows, T);
    } finally {
      RedisServers.stop(server);
    }
  }

  @Test
  void aclUserFromTheUrl() throws Exception {
    assumeTrue(RedisServers.available(), "redis-server is not installed");
    int port = RedisServers.freePort();
    Process server = RedisServers.start(port, dir, "--user", "default", "off", "--user", "strata", "on", ">s3cret", "~t-acl:*", "+@all");
    try {
      OnlineStoreConfig good = OnlineStoreConfig.fromUrl("redis://strata:s3cret@127.0.0.1:" + port + "?prefix=t-acl");
      List<Map<String, Object>> rows = FlightsFixture.rows(T, 20, 13);
      try (UnifiedJedis redis = RedisConnections.open(good)) {
        RedisLayout layout = new RedisLayout(good.prefix());
        materialize(KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build());
        OnlineFeatures got = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build().getOnlineFeatures(SERVICE, rows, T);
        FlightsFixture.assertMatchesOracle(got, rows, T);
      }
      OnlineStoreConfig wrong = OnlineStoreConfig.fromUrl("redis://strata:nope@127.0.0.1:" + port + "?prefix=t-acl");
      try (UnifiedJedis redis = RedisConnections.open(wrong)) {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> OnlineReader.builder(PLAN, RedisKvStore.of(redis)).build().getOnlineFeatures(SERVICE, rows, T))
            .isInstanceOf(OnlineStoreException.class);
      } catch (redis.clients.jedis.exceptions.JedisException e) {
        // Some client builds authenticate eagerly: a refused login is what we want either way.
        assertThat(e.getMessage()).containsIgnoringCase("WRONGPASS");
      }
    } finally {
      RedisServers.stop(server);
    }
  }

  @Test
  void redisClusterServesTheOracleValues() throws Exception {
    assumeTrue(RedisServers.available(), "redis-server is not installed");
    List<Process> nodes = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        int port = RedisServers.freePort();
        Path nodeDir = Files.createDirectories(dir.resolve("n" + i));
        nodes.add(RedisServers.start(port, nodeDir, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
            "--cluster-node-timeout", "2000"));
        hosts.add("127.0.0.1:" + port);
      }
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      create.addAll(hosts);
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(dir.resolve("create.log").toFile()).start();
      assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
      assertThat(p.exitValue()).as(Files.readString(dir.resolve("create.log"))).isZero();
      waitForClusterOk(hosts);

      // One connection per node: a read that leaves a node's connection mid-stream breaks the next read.
      OnlineStoreConfig config = OnlineStoreConfig.fromUrl("redis://" + String.join(",", hosts) + "?prefix=t-cluster&max_connections=1");
      assertThat(config.cluster()).isTrue();
      try (UnifiedJedis redis = RedisConnections.open(config)) {
        RedisLayout layout = new RedisLayout(config.prefix());
        materialize(KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build());
        List<Map<String, Object>> rows = FlightsFixture.rows(T, 80, 12);
        // Streamed per node (the default) and through the cluster pipeline: the same, and the oracle's.
        OnlineReader streamed = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build();
        OnlineFeatures got = streamed.getOnlineFeatures(SERVICE, rows, T);
        assertThat(FlightsFixture.assertMatchesOracle(got, rows, T)).isGreaterThan(1000);
        OnlineFeatures piped = OnlineReader.builder(PLAN, RedisKvStore.builder(redis).pipelined().build()).layout(layout).build().getOnlineFeatures(SERVICE, rows, T);
        FlightsFixture.assertSameFeatures(piped, got);

        // Requests that together need more connections than the pool has (one per node): they
        // take turns instead of each holding one node's connection while waiting for another's.
        OnlineReader fourThreads = OnlineReader.builder(PLAN, RedisKvStore.builder(redis).pipelined().build()).layout(layout).parallelism(4).parallelRows(5).build();
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
          List<Future<OnlineFeatures>> reads = new ArrayList<>();
          for (int i = 0; i < 40; i++) {
            OnlineReader reader = i % 2 == 0 ? streamed : fourThreads;
            reads.add(callers.submit(() -> reader.getOnlineFeatures(SERVICE, rows, T)));
          }
          for (Future<OnlineFeatures> read : reads) {
            FlightsFixture.assertSameFeatures(read.get(60, TimeUnit.SECONDS), got);
          }
        } finally {
          callers.shutdownNow();
        }

        // A key that is not a hash on the node read first (the lowest port): Redis's error, and
        // every node's connection stays usable (the replies other nodes still owe are drained).
        CompiledGroup group = PLAN.group(PLAN.service(SERVICE).orElseThrow().groups().get(0)).orElseThrow();
        int firstPort = hosts.stream().mapToInt(h -> Integer.parseInt(h.split(":")[1])).min().orElseThrow();
        byte[] key = null;
        for (int r = 0; key == null; r++) {
          Map<String, Object> row = rows.get(r);
          byte[] candidate = layout.keyBytes(group, PLAN.entity(group.entity()).orElseThrow().keys().stream()
              .map(k -> row.get(k.name())).toList());
          int slot = JedisClusterCRC16.getSlot(candidate);
          try (Connection c = ((RedisClusterClient) redis).getConnectionFromSlot(slot)) {
            if (c.getHostAndPort().getPort() == firstPort) {
              key = candidate;
            }
          }
        }
        Map<byte[], byte[]> saved = redis.hgetAll(key);
        redis.del(key);
        redis.set(key, "not a hash".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> streamed.getOnlineFeatures(SERVICE, rows, T))
            .isInstanceOf(OnlineStoreException.class).hasMessageContaining("WRONGTYPE");
        redis.del(key);
        if (!saved.isEmpty()) {
          redis.hset(key, saved);
        }
        List<Map<String, Object>> others = FlightsFixture.rows(T, 80, 13);
        OnlineFeatures after = streamed.getOnlineFeatures(SERVICE, others, T);
        FlightsFixture.assertMatchesOracle(after, others, T);
        FlightsFixture.assertSameFeatures(after, OnlineReader.builder(PLAN, RedisKvStore.builder(redis).pipelined().build()).layout(layout).build().getOnlineFeatures(SERVICE, others, T));
        FlightsFixture.assertSameFeatures(streamed.getOnlineFeatures(SERVICE, rows, T), got);

        // A node stopped under the reader: a store failure, never a hang. Restarted (empty: no
        // persistence) and the tiles written again, the same reader serves the same values.
        int last = nodes.size() - 1;
        int lastPort = Integer.parseInt(hosts.get(last).split(":")[1]);
        RedisServers.stop(nodes.get(last));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> streamed.getOnlineFeatures(SERVICE, rows, T))
            .isInstanceOf(OnlineStoreException.class);
        nodes.set(last, RedisServers.start(lastPort, dir.resolve("n" + last), "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "2000"));
        waitForClusterOk(hosts);
        OnlineFeatures again = null;
        for (int attempt = 0; again == null; attempt++) {
          try {
            materialize(KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build());
            again = streamed.getOnlineFeatures(SERVICE, rows, T);
          } catch (RuntimeException e) {
            // pooled connections to the stopped node fail once each, and are dropped
            assertThat(attempt).as("reads still fail after restart: %s", e).isLessThan(20);
            Thread.sleep(200);
          }
        }
        FlightsFixture.assertSameFeatures(again, got);
      }
    } finally {
      for (Process node : nodes) {
        RedisServers.stop(node);
      }
    }
  }

  static void waitForClusterOk(List<String> hosts) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    for (String host : hosts) {
      String[] hp = host.split(":");
      while (true) {
        Process p = new ProcessBuilder("redis-cli", "-p", hp[1], "cluster", "info").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        p.waitFor();
        if (out.contains("cluster_state:ok")) {
          break;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException("Cannot start the test cluster: " + host + " reports " + out);
        }
        Thread.sleep(100);
      }
    }
  }
}
