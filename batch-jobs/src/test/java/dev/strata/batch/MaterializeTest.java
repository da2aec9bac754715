package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.tile.FeatureAssembler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import dev.strata.online.TileWriter;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import dev.strata.online.store.RedisKvStore;

/**
 * Materialize hands the writer exactly the tiles a read as of {@code at} needs: merged by
 * FeatureAssembler (as the online reader will), they give the oracle's values as of {@code at}.
 */
class MaterializeTest {
  @TempDir
  Path warehouse;

  @Test
  void handedTilesGiveTheOracleValues() {
    JobContext base = SparkTestSession.context(FlightsSample.exampleDir(), warehouse);
    String name = "mat_" + UUID.randomUUID().toString().substring(0, 8);
    StrataSpark.registerCatalog(base.spark(), base.config(), name);
    JobContext ctx = new JobContext(base.spark(), base.config(), base.planRef(), name, Progress.silent());
    CompiledPlan plan = ctx.plan();
    String group = "origin_delays";
    new BackfillJob(ctx).run(group, LocalDate.parse("2001-01-01"), LocalDate.parse("2001-01-12"));
    long at = Durations.parseInstant("2001-01-12T18:00:00Z");

    List<EncodedTile> tiles = new ArrayList<>();
    long n = new MaterializeJob(ctx).run(group, at, tiles::addAll);
    assertThat(n).isEqualTo(tiles.size()).isPositive();

    CompiledGroup g = plan.group(group).orElseThrow();
    GroupTiler tiler = GroupTiler.of(plan, group);
    FeatureAssembler assembler = new FeatureAssembler(tiler);
    Map<List<Object>, List<NavigableMap<Long, Object[]>>> byKey = new HashMap<>();
    List<Object[]> events = FlightsSample.events();
    Map<List<Object>, java.util.TreeSet<Long>> times = new HashMap<>();
    for (Object[] e : events) {
      List<Object> key = tiler.keyOf(e);
      if (key != null) {
        times.computeIfAbsent(key, k -> new java.util.TreeSet<>()).add((Long) e[0]);
      }
    }
    for (EncodedTile t : tiles) {
      assertThat(t.groupVersion()).isEqualTo(g.version());
      assertThat(t.startMicros()).isLessThan(at);
      int spec = 0;
      while (tiler.hop(spec) != t.hopMicros()) {
        spec++;
      }
      // Each tile carries the time of its own latest event.
      long hop = t.hopMicros();
      assertThat(t.latestEventMicros()).isEqualTo(times.get(t.key()).lower(t.startMicros() + hop))
          .isGreaterThanOrEqualTo(t.startMicros());
      List<NavigableMap<Long, Object[]>> specs = byKey.computeIfAbsent(t.key(), k -> {
        List<NavigableMap<Long, Object[]>> l = new ArrayList<>();
        for (int s = 0; s < tiler.specCount(); s++) {
          l.add(new TreeMap<>());
        }
        return l;
      });
      specs.get(spec).put(t.startMicros(), tiler.aggregator(spec).decode(t.bytes()));
    }
    // "at" is on a hop boundary of every spec, so the head [floor(at, h), at) is empty.
    Oracle oracle = new Oracle(plan);
    for (List<Object> key : List.of(List.<Object>of("ORD"), List.<Object>of("BOS"), List.<Object>of("SEA"))) {
      Object[] values = assembler.valuesAsOf(at, byKey.get(key), null);
      Map<String, Object> want = oracle.groupFeatures(group, events, key, at);
      for (int f = 0; f < values.length; f++) {
        assertThat(values[f]).as("%s of %s", g.features().get(f).name(), key).isEqualTo(want.get(g.features().get(f).name()));
      }
    }
  }

  @Test
  void materializedIntoRedisServesTheOracleValues() {
    JobContext base = SparkTestSession.context(FlightsSample.exampleDir(), warehouse);
    String name = "matr_" + UUID.randomUUID().toString().substring(0, 8);
    StrataSpark.registerCatalog(base.spark(), base.config(), name);
    JobContext ctx = new JobContext(base.spark(), base.config(), base.planRef(), name, Progress.silent());
    CompiledPlan plan = ctx.plan();
    String group = "origin_delays";
    new BackfillJob(ctx).run(group, LocalDate.parse("2001-01-01"), LocalDate.parse("2001-01-12"));
    long at = Durations.parseInstant("2001-01-12T18:00:00Z");

    dev.strata.config.StrataConfig c = base.config();
    String url = "redis://127.0.0.1:6379/10?prefix=" + name;
    dev.strata.config.StrataConfig config = new dev.strata.config.StrataConfig(c.projectDir(), c.warehouse(),
        c.catalogUri(), c.catalogUser(), c.catalogPassword(), c.namespace(), url, c.kafkaBootstrapServers());
    long n;
    try (TileWriter writer = BatchJob.openWriter(new JobContext(ctx.spark(), config, ctx.planRef(), name, Progress.silent()))) {
      n = new MaterializeJob(ctx).run(group, at, writer);
    }
    assertThat(n).isPositive();

    dev.strata.online.OnlineStoreConfig store = dev.strata.online.OnlineStoreConfig.fromUrl(url);
    try (redis.clients.jedis.UnifiedJedis redis = dev.strata.online.RedisConnections.open(store)) {
      dev.strata.online.OnlineReader reader = dev.strata.online.OnlineReader.builder(plan, RedisKvStore.of(redis))
          .layout(new dev.strata.online.RedisLayout(store.prefix())).build();
      CompiledGroup g = plan.group(group).orElseThrow();
      List<String> refs = g.features().stream().map(f -> f.qualifiedName()).toList();
      Oracle oracle = new Oracle(plan);
      List<Object[]> events = FlightsSample.events();
      for (String airport : List.of("ORD", "BOS", "SEA", "DFW")) {
        dev.strata.online.client.OnlineFeatures got =
            reader.getOnlineFeaturesByName(refs, List.of(Map.of("airport", airport)), at);
        Map<String, Object> want = oracle.groupFeatures(group, events, List.of(airport), at);
        for (int f = 0; f < refs.size(); f++) {
          assertThat(got.value(0, f)).as("%s of %s", refs.get(f), airport).isEqualTo(want.get(g.features().get(f).name()));
        }
      }
      // The store holds each key's events up to its latest before "at": an exact read as of an
      // earlier instant is refused, naming the first instant it can answer.
      List<Object[]> ord = events.stream().filter(e -> "ORD".equals(e[3]) && (Long) e[0] < at && (Long) e[2] > 0).toList();
      long ordLatest = ord.stream().mapToLong(e -> (Long) e[0]).max().orElseThrow();
      assertThat(redis.hget(new dev.strata.online.RedisLayout(store.prefix()).key(g, List.of("ORD")), "@t"))
          .isEqualTo(Long.toString(ordLatest));
      long earlier = at - 6 * Durations.HOUR;
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> reader.getOnlineFeaturesByName(refs, List.of(Map.of("airport", "ORD")), earlier))
          .isInstanceOf(dev.strata.online.OnlineReader.InstantNotAnswerableException.class)
          .hasMessageContaining("it answers as of " + Durations.formatInstant(ordLatest + 1) + " or later");
      for (String key : redis.keys(store.prefix() + ":*")) {
        redis.del(key);
      }
    }
  }
}
