package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryConfig;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.TileWriter;
import dev.strata.online.store.RedisKvStore;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.LongPredicate;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 17 item 2: materialize pushes only the tiles its group version's last materialize did not
 * push (from the instant it reached on, and the days a backfill rewrote since); the store then
 * serves what one full materialize serves, and a rerun with nothing new does nothing. Real Redis,
 * real Iceberg (SQLite catalog), the batch job's own command line.
 */
class IncrementalMaterializeTest {
  private static final String FEB1 = "2001-02-01T00:00:00Z";
  private static final String MAR1 = "2001-03-01T00:00:00Z";

  @TempDir
  Path tmp;

  private final String prefix = "incmat_" + UUID.randomUUID().toString().substring(0, 8);
  private final String fullPrefix = prefix + "_full";
  private final String schedulePrefix = prefix + "_sched";
  private SparkSession session;

  @AfterEach
  void cleanUp() {
    SparkSession.setActiveSession(SparkTestSession.get());
    try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(url(prefix)))) {
      for (String p : List.of(prefix, fullPrefix, schedulePrefix)) {
        for (String key : redis.keys(p + ":*")) {
          redis.del(key);
        }
      }
    }
  }

  @Test
  void februaryAfterJanuaryPushesOnlyFebruaryAndARerunNothing() throws IOException {
    Path project = TestProjects.copyExample(tmp.resolve("flights"));
    Path yaml = project.resolve("strata.yaml");
    Files.writeString(yaml, Files.readString(yaml).replace("url: redis://127.0.0.1:6379", "url: " + url(prefix)));
    CompiledPlan plan = ProjectSnapshot.read(project).plan();
    List<CompiledGroup> online = plan.groups().stream().filter(CompiledGroup::online).toList();
    assertThat(online).hasSizeGreaterThan(1);

    assertThat(run(project, "backfill", "--all", "--through", "2001-01-31").code()).isZero();
    Run january = run(project, "materialize", "--all", "--at", FEB1);
    assertThat(january.code()).as(january.err()).isZero();
    for (CompiledGroup g : online) {
      JobRun first = newest(project, g);
      assertThat(first.detail()).as("no earlier materialize: full").contains("(full)");
      assertThat(first.rows()).isEqualTo(fullSelection(project, g, FEB1, t -> true).size()).isPositive();
      assertThat(first.snapshotIds()).hasSize(1);
    }

    assertThat(run(project, "backfill", "--all", "--through", "2001-02-28").code()).isZero();
    Run february = run(project, "materialize", "--all", "--at", MAR1);
    assertThat(february.code()).as(february.err()).isZero();
    long feb1 = micros(FEB1);
    boolean someGroupSkipped = false;
    for (CompiledGroup g : online) {
      JobRun second = newest(project, g);
      List<EncodedTile> all = fullSelection(project, g, MAR1, t -> true);
      // what a full materialize as of March 1 pushes, less what January's run already pushed:
      // the tiles starting in February (the second backfill rewrote no January day)
      long februaryTiles = all.stream().filter(t -> t.startMicros() >= feb1).count();
      assertThat(second.rows()).as(g.name()).isEqualTo(februaryTiles).isPositive();
      assertThat(second.detail()).contains("incremental: tiles from " + FEB1 + " on");
      someGroupSkipped |= februaryTiles < all.size();
    }
    assertThat(someGroupSkipped).as("route_delays' lifetime window needs January's tiles too: they were not pushed again").isTrue();

    // The store holds exactly what full materializes on the same schedule (February 1, March 1) leave.
    fullMaterializeInto(project, schedulePrefix, FEB1);
    fullMaterializeInto(project, schedulePrefix, MAR1);
    assertThat(contents(prefix)).isNotEmpty().isEqualTo(contents(schedulePrefix));
    // and serves what one full materialize as of March 1 into an empty store serves.
    fullMaterializeInto(project, fullPrefix, MAR1);
    assertSameServing(project, plan, online, micros(MAR1));
    assertSameServing(project, plan, online, micros(MAR1) + 3 * Durations.DAY);

    Run again = run(project, "materialize", "--all", "--at", MAR1);
    assertThat(again.code()).isZero();
    assertThat(again.out()).contains("nothing to do");
    for (CompiledGroup g : online) {
      JobRun third = newest(project, g);
      assertThat(third.rows()).isZero();
      assertThat(third.detail()).startsWith("materialize " + g.name() + ": nothing to do");
      assertThat(third.coveredTo()).isEqualTo(micros(MAR1));
    }

    // A backfill that rewrites an old day: that day's tiles (those a read as of March 1 needs) go again.
    assertThat(run(project, "backfill", "--all", "--from", "2001-01-10", "--to", "2001-01-10").code()).isZero();
    assertThat(run(project, "materialize", "--all", "--at", MAR1).code()).isZero();
    long jan10 = micros("2001-01-10T00:00:00Z");
    for (CompiledGroup g : online) {
      long expected = fullSelection(project, g, MAR1, t -> t >= jan10 && t < jan10 + Durations.DAY).size();
      JobRun rewrite = newest(project, g);
      assertThat(rewrite.rows()).as(g.name()).isEqualTo(expected);
      if (expected > 0) {
        assertThat(rewrite.detail()).contains("days rewritten since snapshot").contains("2001-01-10");
      }
    }

    // --full pushes everything again.
    assertThat(run(project, "materialize", "origin_delays", "--at", MAR1, "--full").code()).isZero();
    CompiledGroup origin = plan.group("origin_delays").orElseThrow();
    assertThat(newest(project, origin).rows()).isEqualTo(fullSelection(project, origin, MAR1, t -> true).size());
    assertThat(newest(project, origin).detail()).contains("(full)");
  }

  /**
   * Every online value and status (and each key's latest event time) equals the full store's, for
   * every key of every group that store holds; keys it lacks serve NULL from both.
   */
  private void assertSameServing(Path project, CompiledPlan plan, List<CompiledGroup> groups, long at) {
    OnlineStoreConfig incremental = OnlineStoreConfig.fromUrl(url(prefix));
    OnlineStoreConfig full = OnlineStoreConfig.fromUrl(url(fullPrefix));
    try (UnifiedJedis redis = RedisConnections.open(incremental)) {
      OnlineReader a = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(incremental.prefix())).build();
      OnlineReader b = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(full.prefix())).build();
      for (CompiledGroup g : groups) {
        List<String> refs = g.features().stream().map(f -> f.qualifiedName()).toList();
        List<Map<String, Object>> keys = entityKeys(project, g);
        assertThat(keys).isNotEmpty();
        OnlineFeatures got = a.getOnlineFeaturesByName(refs, keys, at);
        OnlineFeatures want = b.getOnlineFeaturesByName(refs, keys, at);
        int found = 0;
        for (int row = 0; row < keys.size(); row++) {
          for (int f = 0; f < refs.size(); f++) {
            String what = refs.get(f) + " of " + keys.get(row);
            // A key with no tile a read as of `at` needs is absent after one full materialize into an
            // empty store; pushed earlier it stays (writes never delete a key; its TTL does), as it
            // does after full materializes on the same schedule: compared byte for byte below.
            if (want.status(row, f) != FeatureStatus.NOT_FOUND) {
              assertThat(got.status(row, f)).as(what).isEqualTo(want.status(row, f));
              assertThat(got.value(row, f)).as(what).isEqualTo(want.value(row, f));
              found++;
            }
          }
          List<Object> key = new ArrayList<>(keys.get(row).values());
          String fullLatest = redis.hget(new RedisLayout(full.prefix()).key(g, key), RedisLayout.LATEST_FIELD);
          if (fullLatest != null) {
            assertThat(redis.hget(new RedisLayout(incremental.prefix()).key(g, key), RedisLayout.LATEST_FIELD))
                .isEqualTo(fullLatest);
          }
        }
        assertThat(found).as("%s serves values", g.name()).isGreaterThan(refs.size());
      }
    }
  }

  /** Every Redis key under the prefix (less the prefix) to its hash fields and values, hex. */
  private static Map<String, Map<String, String>> contents(String redisPrefix) {
    Map<String, Map<String, String>> all = new TreeMap<>();
    try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(url(redisPrefix)))) {
      for (String key : redis.keys(redisPrefix + ":*")) {
        Map<String, String> fields = new TreeMap<>();
        redis.hgetAll(key.getBytes(StandardCharsets.UTF_8)).forEach((k, v) ->
            fields.put(HexFormat.of().formatHex(k), HexFormat.of().formatHex(v)));
        all.put(key.substring(redisPrefix.length()), fields);
      }
    }
    return all;
  }

  /** The tiles a full materialize as of {@code at} hands over, whose start passes {@code start}. */
  private List<EncodedTile> fullSelection(Path project, CompiledGroup g, String at, LongPredicate start) {
    List<EncodedTile> tiles = new ArrayList<>();
    new MaterializeJob(context(project, StrataConfig.load(project))).run(g.name(), micros(at), tiles::addAll);
    return tiles.stream().filter(t -> start.test(t.startMicros())).toList();
  }

  private void fullMaterializeInto(Path project, String redisPrefix, String at) {
    StrataConfig c = StrataConfig.load(project);
    StrataConfig config = new StrataConfig(c.projectDir(), c.warehouse(), c.catalogUri(), c.catalogUser(),
        c.catalogPassword(), c.namespace(), url(redisPrefix), c.kafkaBootstrapServers());
    JobContext ctx = context(project, config);
    for (CompiledGroup g : ctx.plan().groups()) {
      if (g.online()) {
        try (TileWriter writer = BatchJob.openWriter(ctx)) {
          assertThat(new MaterializeJob(ctx).run(g.name(), micros(at), writer)).isPositive();
        }
      }
    }
  }

  /** The group's entity keys, from its tiles table. */
  private List<Map<String, Object>> entityKeys(Path project, CompiledGroup g) {
    JobContext ctx = context(project, StrataConfig.load(project));
    String[] names = g.keys().stream().map(k -> k.name()).toArray(String[]::new);
    List<Map<String, Object>> keys = new ArrayList<>();
    for (Row r : session.table(ctx.table(g.name() + "__tiles")).selectExpr(names).distinct().collectAsList()) {
      Map<String, Object> key = new LinkedHashMap<>();
      for (int i = 0; i < names.length; i++) {
        key.put(names[i], r.get(i));
      }
      keys.add(key);
    }
    return keys;
  }

  private JobContext context(Path project, StrataConfig config) {
    return new JobContext(sessionOf(), config, ProjectSnapshot.read(project), StrataSpark.DEFAULT_CATALOG, Progress.silent());
  }

  private JobRun newest(Path project, CompiledGroup g) {
    StrataConfig config = StrataConfig.load(project);
    try (Registry registry = Registry.open(new RegistryConfig(config.catalogUri(), config.catalogUser(), config.catalogPassword()))) {
      return registry.jobs().runs("flights", JobKind.MATERIALIZE, g.name(), g.version()).get(0);
    }
  }

  private static long micros(String instant) {
    return Durations.parseInstant(instant);
  }

  private static String url(String redisPrefix) {
    return "redis://127.0.0.1:6379/10?prefix=" + redisPrefix;
  }

  private record Run(int code, String out, String err) {}

  /** The batch job's command line in this JVM; {@code out} holds its progress lines (the summaries, on System.err). */
  private Run run(Path project, String... args) {
    SparkSession.setActiveSession(sessionOf());
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    PrintStream stderr = System.err;
    String[] all = Stream.concat(Stream.of("--project", project.toString()), Stream.of(args)).toArray(String[]::new);
    int code;
    try {
      System.setErr(new PrintStream(out, true, StandardCharsets.UTF_8));
      code = BatchJob.run(all, new PrintStream(err, true, StandardCharsets.UTF_8));
    } finally {
      System.setErr(stderr);
    }
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** One Spark session for the project, as one job JVM has: a session caches the catalog it registered. */
  private SparkSession sessionOf() {
    if (session == null) {
      session = SparkTestSession.get().newSession();
    }
    return session;
  }

}
