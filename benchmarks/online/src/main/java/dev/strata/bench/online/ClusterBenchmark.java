package dev.strata.bench.online;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.time.Durations;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.client.FeatureClient;
import dev.strata.online.server.InProcessFeatureClient;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.UnifiedJedis;
import dev.strata.online.store.RedisKvStore;

/**
 * The online fetch of {@link OnlineBenchmark} against a three-master Redis Cluster started here
 * (redis-server processes on free ports, all on this machine), beside the bound of the same
 * client sending the same HMGETs through one cluster pipeline and doing nothing with the replies.
 * Args: [project=project] [entities=500].
 */
public final class ClusterBenchmark {

  public static void main(String[] args) throws Exception {
    Path project = Path.of(args.length > 0 ? args[0] : "project").toAbsolutePath();
    int entities = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    CompiledPlan plan = OnlineBenchmark.plan(project);
    Path dir = Files.createTempDirectory("strata-bench-cluster");
    List<Process> nodes = new ArrayList<>();
    List<String> hosts = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        int port = freePort();
        hosts.add("127.0.0.1:" + port);
        Path nodeDir = Files.createDirectories(dir.resolve("node" + port));
        nodes.add(new ProcessBuilder("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
            "--dir", nodeDir.toString(), "--save", "", "--appendonly", "no", "--cluster-enabled", "yes",
            "--cluster-config-file", "nodes.conf", "--cluster-node-timeout", "5000")
            .redirectErrorStream(true).redirectOutput(nodeDir.resolve("log").toFile()).start());
      }
      waitForPing(hosts);
      List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
      create.addAll(hosts);
      create.addAll(List.of("--cluster-replicas", "0", "--cluster-yes"));
      Process p = new ProcessBuilder(create).redirectErrorStream(true).redirectOutput(dir.resolve("create.log").toFile()).start();
      if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IllegalStateException("Cannot create the benchmark cluster: see " + dir.resolve("create.log"));
      }
      waitForClusterOk(hosts);
      System.out.println("cluster of 3 masters: " + hosts + "; java " + System.getProperty("java.version") + ", "
          + Runtime.getRuntime().availableProcessors() + " cores");

      OnlineStoreConfig config = OnlineStoreConfig.fromUrl("redis://" + String.join(",", hosts) + "?prefix=bench");
      RedisLayout layout = new RedisLayout(config.prefix());
      try (UnifiedJedis redis = RedisConnections.open(config)) {
        OnlineBenchmark.load(plan, redis, layout, entities, OnlineBenchmark.FROM, OnlineBenchmark.NOW);
        Clock clock = Clock.fixed(Durations.toInstant(OnlineBenchmark.NOW), ZoneOffset.UTC);
        OnlineReader streamed = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(layout).clock(clock).build();
        // For comparison: the cluster's own pipeline per request, and cut into chunks for two threads.
        OnlineReader onePipeline = OnlineReader.builder(plan, RedisKvStore.builder(redis).pipelined().build()).layout(layout).parallelism(1).clock(clock).build();
        OnlineReader twoThreads = OnlineReader.builder(plan, RedisKvStore.builder(redis).pipelined().build()).layout(layout).parallelism(2).clock(clock).build();

        List<byte[][]> fieldsByGroup = new ArrayList<>();
        List<CompiledGroup> groups = new ArrayList<>();
        for (CompiledGroup g : plan.groups()) {
          List<byte[]> fields = new ArrayList<>();
          fields.add(RedisLayout.LATEST_FIELD.getBytes(StandardCharsets.UTF_8));
          dev.strata.dsl.tile.TileGeometry geometry = dev.strata.dsl.tile.TileGeometry.of(g);
          for (int s = 0; s < geometry.specCount(); s++) {
            for (var b : geometry.cover(s, OnlineBenchmark.NOW)) {
              fields.add(RedisLayout.field(geometry.hop(s), b.span(), b.start()).getBytes(StandardCharsets.UTF_8));
            }
          }
          fieldsByGroup.add(fields.toArray(new byte[0][]));
          groups.add(g);
        }

        Random pick = new Random(2);
        Supplier<List<Map<String, Object>>> one = () -> OnlineBenchmark.rows(pick, entities, 1);
        Supplier<List<Map<String, Object>>> hundred = () -> OnlineBenchmark.rows(pick, entities, 100);
        List<String[]> table = new ArrayList<>();
        table.add(OnlineBenchmark.measure("cluster in-process 1 x 50", InProcessFeatureClient.of(streamed), one,
            OnlineBenchmark.WARM_UP_SMALL, 10_000, 1));
        table.add(OnlineBenchmark.measure("cluster in-process 100 x 50 (streamed per node, the default)",
            InProcessFeatureClient.of(streamed), hundred, OnlineBenchmark.WARM_UP_LARGE, 5_000, 100));
        table.add(OnlineBenchmark.measure("cluster in-process 100 x 50, one cluster pipeline", InProcessFeatureClient.of(onePipeline),
            hundred, 2_000, 5_000, 100));
        table.add(OnlineBenchmark.measure("cluster in-process 100 x 50, cluster pipelines on two threads",
            InProcessFeatureClient.of(twoThreads), hundred, 2_000, 5_000, 100));
        table.add(raw("raw Jedis cluster pipeline, HMGET of the same fields, 1 x 5 groups", redis, layout, groups, fieldsByGroup,
            pick, entities, 1, 20_000, 10_000));
        table.add(raw("raw Jedis cluster pipeline, HMGET of the same fields, 100 x 5 groups", redis, layout, groups, fieldsByGroup,
            pick, entities, 100, 2_000, 5_000));

        System.out.println();
        System.out.println("| what | p50 ms | p99 ms | mean ms per call | calls/s (1 client) | entity rows/s |");
        System.out.println("|---|---:|---:|---:|---:|---:|");
        for (String[] r : table) {
          System.out.println("| " + String.join(" | ", r) + " |");
        }
      }
    } finally {
      for (Process node : nodes) {
        node.destroy();
        if (!node.waitFor(10, TimeUnit.SECONDS)) {
          node.destroyForcibly();
        }
      }
    }
  }

  /** The bound: the same HMGETs through one cluster pipeline, replies read and dropped. */
  static String[] raw(String name, UnifiedJedis redis, RedisLayout layout, List<CompiledGroup> groups, List<byte[][]> fields,
      Random pick, int entities, int rows, int warmup, int iterations) {
    Histogram h = new Histogram(3);
    long start = 0;
    for (int i = -warmup; i < iterations; i++) {
      if (i == 0) {
        start = System.nanoTime();
      }
      List<byte[]> keys = new ArrayList<>();
      for (int r = 0; r < rows; r++) {
        String user = OnlineBenchmark.user(pick.nextInt(entities));
        for (CompiledGroup g : groups) {
          keys.add(layout.keyBytes(g, List.<Object>of(user)));
        }
      }
      long s = System.nanoTime();
      try (AbstractPipeline p = redis.pipelined()) {
        for (int k = 0; k < keys.size(); k++) {
          p.hmget(keys.get(k), fields.get(k % groups.size()));
        }
        p.sync();
      }
      if (i >= 0) {
        h.recordValue(System.nanoTime() - s);
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new String[] {name, OnlineBenchmark.ms(h.getValueAtPercentile(50)), OnlineBenchmark.ms(h.getValueAtPercentile(99)),
        String.format(Locale.ROOT, "%.3f", seconds * 1e3 / iterations), String.format(Locale.ROOT, "%.0f", iterations / seconds),
        String.format(Locale.ROOT, "%.0f", iterations * rows / seconds)};
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static void waitForPing(List<String> hosts) throws Exception {
    for (String host : hosts) {
      waitFor(host, List.of("ping"), "PONG");
    }
  }

  private static void waitForClusterOk(List<String> hosts) throws Exception {
    for (String host : hosts) {
      waitFor(host, List.of("cluster", "info"), "cluster_state:ok");
    }
  }

  private static void waitFor(String host, List<String> command, String expected) throws Exception {
    String[] hp = host.split(":");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (true) {
      List<String> cmd = new ArrayList<>(List.of("redis-cli", "-p", hp[1]));
      cmd.addAll(command);
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      if (out.contains(expected)) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("Cannot start the benchmark cluster: " + host + " answers " + out.trim());
      }
      Thread.sleep(200);
    }
  }
}
