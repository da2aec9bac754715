package dev.strata.bench.online;

import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.PlanCompiler;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import dev.strata.online.EventTiler;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.KvTileWriter;
import dev.strata.online.client.FeatureClient;
import dev.strata.online.server.InProcessFeatureClient;
import dev.strata.online.server.FeatureServer;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import redis.clients.jedis.UnifiedJedis;
import dev.strata.online.store.RedisKvStore;

/**
 * Online fetch latency: 1 × 50 and 100 × 50 features (5 groups × 10 features, 7d windows, 1h
 * hops) in-process and over HTTP, beside redis-benchmark's raw pipelined HMGET / HGETALL of the
 * same keys, in the same run. Args: [project=project] [entities=500] [redis-port=6379] [db=15].
 */
public final class OnlineBenchmark {
  static final String SERVICE = "bench";
  // Calls before measuring. A server answers millions of calls; on 2 cores the JIT needs
  // thousands of 100-row calls before the merge code reaches its steady state (with 300, the
  // first measured calls still ran partly interpreted and set the p99).
  static final int WARM_UP_SMALL = 20_000;
  static final int WARM_UP_LARGE = 5_000;

  public static void main(String[] args) throws Exception {
    Path project = Path.of(args.length > 0 ? args[0] : "project").toAbsolutePath();
    int entities = args.length > 1 ? Integer.parseInt(args[1]) : 500;
    int port = args.length > 2 ? Integer.parseInt(args[2]) : 6379;
    int db = args.length > 3 ? Integer.parseInt(args[3]) : 15;
    System.out.println("project " + project.getFileName() + ", java " + System.getProperty("java.version") + ", "
        + Runtime.getRuntime().availableProcessors() + " cores, max heap " + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB");
    CompiledPlan plan = plan(project);
    long now = NOW;
    long from = FROM;
    OnlineStoreConfig config = OnlineStoreConfig.builder().node("127.0.0.1", port).database(db).prefix("bench").build();
    RedisLayout layout = new RedisLayout(config.prefix());
    try (UnifiedJedis redis = RedisConnections.open(config)) {
      redis.flushDB();
      load(plan, redis, layout, entities, from, now);

      OnlineReader reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(layout)
          .clock(Clock.fixed(Durations.toInstant(now), ZoneOffset.UTC)).build();
      // For comparison: one pipeline per request (all rows sent, then all replies read, then
      // merged), on the caller's thread, and the same cut into chunks for two threads.
      OnlineReader onePipeline = OnlineReader.builder(plan, RedisKvStore.builder(redis).pipelined().build()).layout(layout).parallelism(1)
          .clock(Clock.fixed(Durations.toInstant(now), ZoneOffset.UTC)).build();
      OnlineReader twoThreads = OnlineReader.builder(plan, RedisKvStore.builder(redis).pipelined().build()).layout(layout).parallelism(2)
          .clock(Clock.fixed(Durations.toInstant(now), ZoneOffset.UTC)).build();
      CompiledGroup g1 = plan.group("g1").orElseThrow();
      List<String> fields = new ArrayList<>();
      fields.add(RedisLayout.LATEST_FIELD);
      dev.strata.dsl.tile.TileGeometry geometry = dev.strata.dsl.tile.TileGeometry.of(g1);
      for (int s = 0; s < geometry.specCount(); s++) {
        for (var b : geometry.cover(s, now)) {
          fields.add(RedisLayout.field(geometry.hop(s), b.span(), b.start()));
        }
      }
      String sampleKey = layout.key(g1, List.of(user(0)));
      System.out.printf(Locale.ROOT, "read plan per (entity, group): HMGET of %d fields %s; hash holds %d fields%n",
          fields.size(), fields, redis.hlen(sampleKey));

      List<String[]> table = new ArrayList<>();
      Random pick = new Random(2);
      Supplier<List<Map<String, Object>>> one = () -> rows(pick, entities, 1);
      Supplier<List<Map<String, Object>>> hundred = () -> rows(pick, entities, 100);
      FeatureClient local = InProcessFeatureClient.of(reader);
      table.add(measure("in-process 1 x 50", local, one, WARM_UP_SMALL, 10_000, 1));
      table.add(measure("in-process 100 x 50", local, hundred, WARM_UP_LARGE, 5_000, 100));
      table.add(measure("in-process 100 x 50, one pipeline", InProcessFeatureClient.of(onePipeline), hundred, 2_000, 5_000, 100));
      table.add(measure("in-process 100 x 50, pipelined chunks on two threads", InProcessFeatureClient.of(twoThreads), hundred, 2_000,
          5_000, 100));
      if (args.length > 4 && args[4].equals("in-process-only")) {
        table.forEach(r -> System.out.println(String.join(" | ", r)));
        return;
      }
      try (FeatureServer server = FeatureServer.builder(reader).build().start(0);
          FeatureClient http = FeatureClient.http(URI.create("http://127.0.0.1:" + server.port()), null)) {
        table.add(measure("HTTP 1 x 50", http, one, WARM_UP_SMALL, 10_000, 1));
        table.add(measure("HTTP 100 x 50", http, hundred, 2_000, 5_000, 100));
      }
      if (args.length > 4 && args[4].equals("no-redis-benchmark")) {
        table.forEach(r -> System.out.println(String.join(" | ", r)));
        return;
      }
      String keyPattern = layout.key(g1, List.of("e__rand_int__"));
      List<String> hmget = new ArrayList<>(List.of("HMGET", keyPattern));
      hmget.addAll(fields);
      table.add(redisBenchmark("redis-benchmark HMGET, pipeline 5 (= 1 x 5 groups)", port, db, entities, 5, 100_000, hmget));
      table.add(redisBenchmark("redis-benchmark HMGET, pipeline 500 (= 100 x 5 groups)", port, db, entities, 500, 1_000_000, hmget));
      table.add(redisBenchmark("redis-benchmark HGETALL, pipeline 5", port, db, entities, 5, 20_000, List.of("HGETALL", keyPattern)));
      table.add(redisBenchmark("redis-benchmark HGETALL, pipeline 500", port, db, entities, 500, 20_000, List.of("HGETALL", keyPattern)));

      System.out.println();
      System.out.println("| what | p50 ms | p99 ms | mean ms per call | calls/s (1 client) | entity rows/s |");
      System.out.println("|---|---:|---:|---:|---:|---:|");
      for (String[] r : table) {
        System.out.println("| " + String.join(" | ", r) + " |");
      }
      System.out.println("* redis-benchmark reports latency per command inside a pipeline, not per batch; a call "
          + "there is one pipelined batch, its mean = pipeline / (commands/s).");
      redis.flushDB();
    }
  }

  // Now is 23 minutes into an hour; events cover the 7 days and 2 hours before it.
  static final long NOW = Durations.parseInstant("2026-01-15T12:23:00Z");
  static final long FROM = NOW - 7 * Durations.DAY - 2 * Durations.HOUR;

  static CompiledPlan plan(Path project) {
    ProjectLoader.Loaded loaded = ProjectLoader.load(project);
    PlanCompiler.Result compiled = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
    return compiled.plan().orElseThrow(() -> new IllegalStateException(compiled.diagnostics().toString()));
  }

  /** Tiles about 3 events an hour per entity (every hourly tile filled) and writes them. */
  static void load(CompiledPlan plan, UnifiedJedis redis, RedisLayout layout, int entities, long from, long now) {
    long t0 = System.nanoTime();
    List<EventTiler> tilers = new ArrayList<>();
    for (CompiledGroup g : plan.groups()) {
      tilers.add(new EventTiler(plan, g.name()));
    }
    Random random = new Random(1);
    String[] categories = {"a", "b", "c", "d", "e", "f", "g", "h"};
    long events = 0;
    for (int e = 0; e < entities; e++) {
      String user = user(e);
      // About 3 events an hour per entity: every hourly tile of the week is filled.
      for (long t = from + random.nextInt(1_200) * Durations.SECOND; t < now; t += (600 + random.nextInt(1_200)) * Durations.SECOND) {
        Object[] row = {t, user, random.nextGaussian() * 20 + 50, (long) random.nextInt(6), categories[random.nextInt(categories.length)]};
        for (EventTiler tiler : tilers) {
          tiler.add(row);
        }
        events++;
      }
    }
    long t1 = System.nanoTime();
    List<EncodedTile> all = new ArrayList<>();
    tilers.forEach(t -> all.addAll(t.all()));
    KvTileWriter.builder(plan, RedisKvStore.of(redis)).layout(layout).batchKeys(200).build().write(all);
    long t2 = System.nanoTime();
    System.out.printf(Locale.ROOT, "setup: %d entities, %d events, tiled in %.1f s, %d tiles written in %.1f s; redis dbsize %d%n",
        entities, events, (t1 - t0) / 1e9, all.size(), (t2 - t1) / 1e9, redis.dbSize());
    // A server does not hold the setup's tiles: drop them so the measured heap is a server's.
    all.clear();
    tilers.clear();
    System.gc();
  }

  static String user(int e) {
    // 12 digits: redis-benchmark's __rand_int__ expands to exactly this form.
    return String.format(Locale.ROOT, "e%012d", e);
  }

  static List<Map<String, Object>> rows(Random random, int entities, int n) {
    List<Map<String, Object>> rows = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      rows.add(Map.of("user", user(random.nextInt(entities))));
    }
    return rows;
  }

  static String[] measure(String name, FeatureClient client, Supplier<List<Map<String, Object>>> rows, int warmup, int iterations,
      int rowsPerCall) {
    for (int i = 0; i < warmup; i++) {
      check(client.getOnlineFeatures(SERVICE, rows.get()));
    }
    Histogram h = new Histogram(3);
    long start = System.nanoTime();
    for (int i = 0; i < iterations; i++) {
      List<Map<String, Object>> r = rows.get();
      long s = System.nanoTime();
      OnlineFeatures f = client.getOnlineFeatures(SERVICE, r);
      h.recordValue(System.nanoTime() - s);
      check(f);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return new String[] {name, ms(h.getValueAtPercentile(50)), ms(h.getValueAtPercentile(99)),
        String.format(Locale.ROOT, "%.3f", seconds * 1e3 / iterations),
        String.format(Locale.ROOT, "%.0f", iterations / seconds), String.format(Locale.ROOT, "%.0f", iterations * rowsPerCall / seconds)};
  }

  static void check(OnlineFeatures f) {
    if (f.featureNames().size() != 50 || f.value(0, 0) == null) {
      throw new IllegalStateException("Cannot benchmark: unexpected result " + f);
    }
  }

  static String ms(long nanos) {
    return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
  }

  /** Runs redis-benchmark with one client and a pipeline of {@code pipeline} commands; p50/p99 are per command. */
  static String[] redisBenchmark(String name, int port, int db, int entities, int pipeline, int requests, List<String> command)
      throws Exception {
    List<String> cmd = new ArrayList<>(List.of("redis-benchmark", "-h", "127.0.0.1", "-p", Integer.toString(port),
        "--dbnum", Integer.toString(db), "-c", "1", "-P", Integer.toString(pipeline), "-n", Integer.toString(requests),
        "-r", Integer.toString(entities), "--csv"));
    cmd.addAll(command);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String last = null;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("\"") && !line.startsWith("\"test\"")) {
          last = line;
        }
      }
    }
    p.waitFor();
    if (last == null) {
      return new String[] {name, "n/a", "n/a", "n/a", "n/a", "n/a"};
    }
    // "test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms","p99_latency_ms","max_latency_ms"
    String[] c = last.replace("\"", "").split(",");
    int cols = c.length;
    double rps = Double.parseDouble(c[cols - 7]);
    int perEntity = 5;
    return new String[] {name, c[cols - 4] + "*", c[cols - 2] + "*", String.format(Locale.ROOT, "%.3f", 1e3 * pipeline / rps),
        String.format(Locale.ROOT, "%.0f", rps / pipeline), String.format(Locale.ROOT, "%.0f", rps / perEntity)};
  }
}
