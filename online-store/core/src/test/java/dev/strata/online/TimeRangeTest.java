package dev.strata.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanCompiler;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeDomain;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.RedisKvStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * The online store over the whole time range: events from 1900 on (before the epoch: negative
 * microseconds) in lifetime and finite windows read back equal to the oracle; reads exactly as of
 * an instant the store can no longer answer are refused with the earliest instant it can.
 */
class TimeRangeTest {
  static final String DEFS = """
      entities:
        station: { keys: { station: string } }
      sources:
        readings:
          timestamp: at
          schema: { at: timestamp, value: int, station: string }
      feature_groups:
        history:
          entity: station
          source: readings
          keys: { station: station }
          aggregations:
            - { name: readings, function: count, windows: [1d, 30d, lifetime] }
            - { name: total,    function: sum,   input: value, windows: [7d, lifetime] }
            - { name: hottest,  function: max,   input: value, windows: [3650d] }
          online: true
      feature_services:
        climate:
          features: [history.*]
      """;
  static final OnlineStoreConfig CONFIG = OnlineStoreConfig.builder().node("127.0.0.1", 6379).database(9).prefix("t-range").build();
  static UnifiedJedis redis;

  @BeforeAll
  static void connect() {
    redis = RedisConnections.open(CONFIG);
  }

  @AfterAll
  static void close() {
    redis.close();
  }

  static CompiledPlan plan(Path dir) throws Exception {
    Files.writeString(dir.resolve("defs.yaml"), DEFS);
    ProjectLoader.Loaded loaded = ProjectLoader.load(dir);
    return PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
  }

  /** Readings of three stations between 1900 and 2001, a tenth of them on the same few days. */
  static List<Object[]> events() {
    Random random = new Random(1970);
    long from = Durations.parseInstant("1900-01-01");
    long to = Durations.parseInstant("2001-01-01");
    List<Object[]> out = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      long t = i % 10 == 0 ? Durations.parseInstant("1969-12-31T23:00:00Z") + random.nextInt(7_200) * Durations.SECOND
          : from + (long) (random.nextDouble() * (to - from));
      out.add(new Object[] {t, (long) random.nextInt(100) - 20, "S" + random.nextInt(3)});
    }
    out.add(new Object[] {0L, 5L, "S0"}); // the epoch itself
    out.sort(Comparator.comparingLong(r -> (Long) r[0]));
    return out;
  }

  @Test
  void eventsBeforeTheEpochCountOnlineAsInTheOracle(@TempDir Path dir) throws Exception {
    CompiledPlan plan = plan(dir);
    Oracle oracle = new Oracle(plan);
    List<Object[]> events = events();
    RedisLayout layout = new RedisLayout(CONFIG.prefix() + "-" + System.nanoTime());
    TileWriter writer = KvTileWriter.builder(plan, RedisKvStore.of(redis)).layout(layout).build();
    EventTiler tiler = new EventTiler(plan, "history");
    // Streamed in stages: reads as of each stage's end (before 1970, across it, long after).
    long[] stages = {Durations.parseInstant("1935-06-01T12:34:56Z"), Durations.parseInstant("1970-01-01T00:30:00Z"),
        Durations.parseInstant("2001-01-01T00:00:01Z")};
    int next = 0;
    int checked = 0;
    for (long stage : stages) {
      while (next < events.size() && (Long) events.get(next)[0] < stage) {
        tiler.add(events.get(next++));
      }
      writer.write(tiler.drainChanged());
      List<Object[]> stored = events.subList(0, next);
      OnlineReader reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(layout).build();
      for (long t : new long[] {stage, stage + 3 * Durations.DAY, stage + 400 * Durations.DAY}) {
        List<Map<String, Object>> rows = List.of(Map.of("station", "S0"), Map.of("station", "S1"), Map.of("station", "S2"));
        OnlineFeatures got = reader.getOnlineFeatures("climate", rows, t);
        for (int r = 0; r < rows.size(); r++) {
          Map<String, Object> want = oracle.groupFeatures("history", stored, List.of(rows.get(r).get("station")), t);
          for (int f = 0; f < got.featureNames().size(); f++) {
            String name = got.featureNames().get(f).substring("history.".length());
            assertThat(got.status(r, f)).isEqualTo(FeatureStatus.PRESENT);
            assertThat(got.value(r, f)).as("%s of %s as of %s", name, rows.get(r), Durations.formatInstant(t))
                .isEqualTo(want.get(name));
            checked++;
          }
        }
      }
    }
    assertThat(checked).isEqualTo(3 * 3 * 3 * 6);
    // The lifetime count saw the events before 1970.
    OnlineFeatures all = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(layout).build()
        .getOnlineFeatures("climate", List.of(Map.of("station", "S0")), stages[2]);
    long before1970 = events.stream().filter(e -> (Long) e[0] < 0 && "S0".equals(e[2])).count();
    assertThat(before1970).isGreaterThan(300);
    assertThat((Long) all.value(0, all.featureNames().indexOf("history.readings_lifetime"))).isGreaterThan(before1970);
  }

  @Test
  void readsAsOfAnInstantTheStoreHasPassedAreRefused(@TempDir Path dir) throws Exception {
    CompiledPlan plan = plan(dir);
    RedisLayout layout = new RedisLayout(CONFIG.prefix() + "-" + System.nanoTime());
    TileWriter writer = KvTileWriter.builder(plan, RedisKvStore.of(redis)).layout(layout).build();
    EventTiler tiler = new EventTiler(plan, "history");
    long latest = Durations.parseInstant("1950-03-01T10:00:00Z");
    tiler.add(new Object[] {latest - Durations.DAY, 3L, "S0"});
    tiler.add(new Object[] {latest, 4L, "S0"});
    writer.write(tiler.drainChanged());
    OnlineReader reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(layout).build();
    List<Map<String, Object>> row = List.of(Map.of("station", "S0"));
    for (long t : new long[] {latest, latest - 1, latest - 40 * Durations.DAY}) {
      assertThatThrownBy(() -> reader.getOnlineFeatures("climate", row, t))
          .isInstanceOf(OnlineReader.InstantNotAnswerableException.class)
          .hasMessage("Cannot read group 'history' for entity row 0 as of " + Durations.formatInstant(t)
              + ": the online store already holds its events up to 1950-03-01T10:00:00Z; it answers as of"
              + " 1950-03-01T10:00:00.000001Z or later (read earlier instants from the offline tables)")
          .satisfies(e -> assertThat(((OnlineReader.InstantNotAnswerableException) e).earliestAnswerable()).isEqualTo(latest + 1));
    }
    OnlineFeatures justAfter = reader.getOnlineFeatures("climate", row, latest + 1);
    assertThat(justAfter.value(0, justAfter.featureNames().indexOf("history.readings_lifetime"))).isEqualTo(2L);
    // A key the store holds nothing of answers for any instant; instants outside Strata's range do not.
    assertThat(reader.getOnlineFeatures("climate", List.of(Map.of("station", "S9")), latest - 1).status(0, 0))
        .isEqualTo(FeatureStatus.NOT_FOUND);
    assertThatThrownBy(() -> reader.getOnlineFeatures("climate", row, TimeDomain.END))
        .hasMessageContaining("Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
  }
}
