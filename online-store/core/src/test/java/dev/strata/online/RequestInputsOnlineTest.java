package dev.strata.online;

import static dev.strata.online.FlightsFixture.EVENTS;
import static dev.strata.online.FlightsFixture.ORACLE;
import static dev.strata.online.FlightsFixture.PLAN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.time.Durations;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.InMemoryKvStore;
import dev.strata.online.store.KvStore;
import dev.strata.online.store.RedisKvStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.UnifiedJedis;

/**
 * Request-time features online (issue 20 item 2): the example's delay_model_v2 reads the request's
 * distance beside stored features; served values equal the oracle's for the same request, on the
 * in-memory store and on Redis; a missing or mistyped request input is a bad request naming it.
 */
class RequestInputsOnlineTest {
  static final String SERVICE = "delay_model_v2";

  @Test
  void servedRequestTimeFeaturesEqualTheOracleInMemory() {
    check(new InMemoryKvStore());
  }

  @Test
  void servedRequestTimeFeaturesEqualTheOracleOnRedis() {
    OnlineStoreConfig config = OnlineStoreConfig.builder().node("127.0.0.1", 6379).database(11).prefix("t-request").build();
    try (UnifiedJedis redis = RedisConnections.open(config)) {
      redis.flushDB();
      try {
        check(RedisKvStore.of(redis), new RedisLayout(config.prefix()));
      } finally {
        redis.flushDB();
      }
    }
  }

  private static void check(KvStore store) {
    check(store, RedisLayout.standard());
  }

  private static void check(KvStore store, RedisLayout layout) {
    OnlineStore online = OnlineStore.of(PLAN, store, layout);
    long t = (Long) EVENTS.get(EVENTS.size() * 3 / 4)[0] + 1;
    FlightsFixture.stream(FlightsFixture.tilers(), online.writer().build(), Long.MIN_VALUE, t);
    Random random = new Random(20);
    List<Map<String, Object>> rows = new ArrayList<>();
    for (Map<String, Object> keys : FlightsFixture.rows(t, 120, 7)) {
      Map<String, Object> row = new HashMap<>(keys);
      int kind = random.nextInt(10);
      // bigints, a JSON-style numeric string, zero (x / 0 is NULL) and NULL
      row.put("distance", kind == 0 ? null : kind == 1 ? "1745" : kind == 2 ? 0L : (long) random.nextInt(3000));
      rows.add(row);
    }
    OnlineFeatures got = online.reader().build().getOnlineFeatures(SERVICE, rows, t);
    assertThat(got.featureNames()).doesNotContain("distance", "request.distance")
        .contains("route_delay_per_100_miles", "long_haul");
    int compared = 0;
    int nonNull = 0;
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Object> row = rows.get(r);
      Map<String, List<Object>> keys = new LinkedHashMap<>();
      keys.put("airport", List.of(row.get("airport")));
      keys.put("route", List.of(row.get("origin"), row.get("destination")));
      Map<String, Object> request = new HashMap<>();
      request.put("distance", row.get("distance"));
      Map<String, Object> expected = ORACLE.serviceFeatures(SERVICE, Map.of("flights", EVENTS), keys, request, t);
      for (String name : List.of("route_delay_per_100_miles", "long_haul")) {
        Object value = got.value(r, got.featureNames().indexOf(name));
        assertThat(value).as("%s of %s as of %s", name, row, Durations.formatInstant(t)).isEqualTo(expected.get(name));
        compared++;
        nonNull += value == null ? 0 : 1;
      }
    }
    assertThat(compared).isEqualTo(2 * rows.size());
    assertThat(nonNull).as("most rows have values").isGreaterThan(rows.size());
  }

  @Test
  void aMissingOrMistypedRequestInputIsABadRequestNamingIt() {
    OnlineStore online = OnlineStore.of(PLAN, new InMemoryKvStore(), RedisLayout.standard());
    OnlineReader reader = online.reader().build();
    Map<String, Object> keys = Map.of("airport", "ORD", "origin", "ORD", "destination", "LAX");
    assertThatThrownBy(() -> reader.getOnlineFeatures(SERVICE, List.of(keys)))
        .isInstanceOf(BadRequestException.class)
        .hasMessage("Cannot fetch features of service 'delay_model_v2': entity row 0 has no value for request input 'distance';"
            + " the service needs its request inputs beside the keys: distance (bigint)");
    Map<String, Object> mistyped = new HashMap<>(keys);
    mistyped.put("distance", "far");
    Map<String, Object> fine = new HashMap<>(keys);
    fine.put("distance", 5L);
    assertThatThrownBy(() -> reader.getOnlineFeatures(SERVICE, List.of(fine, mistyped)))
        .isInstanceOf(BadRequestException.class)
        .hasMessageStartingWith("Cannot fetch features of service 'delay_model_v2': request input 'distance' of entity row 1"
            + " must be a bigint (");
    // A service without request inputs ignores nothing new: delay_model_v1 reads as before.
    assertThat(reader.getOnlineFeatures("delay_model_v1", List.of(keys)).size()).isEqualTo(1);
  }
}
