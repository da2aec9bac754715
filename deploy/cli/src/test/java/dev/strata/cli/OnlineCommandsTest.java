package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EventTiler;
import dev.strata.online.EncodedTile;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.KvTileWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;
import dev.strata.online.store.RedisKvStore;

/** strata get against the real Redis: the values it prints are the oracle's. */
class OnlineCommandsTest {
  static final String URL = "redis://127.0.0.1:6379/13?prefix=strata-cli-test";

  @Test
  void getPrintsTheOraclesValues(@TempDir Path tmp) throws IOException {
    Path dir = StrataCliTest.copyExample(tmp.resolve("flights"));
    Files.writeString(dir.resolve("strata.yaml"), "redis:\n  url: \"" + URL + "\"\n");
    CompiledPlan plan = FlightsSample.plan();
    List<Object[]> events = FlightsSample.events();
    OnlineStoreConfig store = OnlineStoreConfig.fromUrl(URL);
    try (UnifiedJedis redis = RedisConnections.open(store)) {
      redis.flushDB();
      KvTileWriter writer = KvTileWriter.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(store.prefix())).build();
      for (CompiledPlan.CompiledGroup g : plan.groups()) {
        EventTiler tiler = new EventTiler(plan, g.name());
        events.forEach(tiler::add);
        List<EncodedTile> all = new ArrayList<>(tiler.all());
        writer.write(all);
      }
    }
    // The last event of the sample is 2001-03-31 22:27; read an hour later.
    String at = "2001-03-31T23:30:00Z";
    StrataCliTest.Run r = StrataCliTest.run("get", "delay_model_v1", "airport=ORD", "origin=ORD", "destination=LAX",
        "--at", at, "--json", "-C", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    Map<String, Object> expected = new Oracle(plan).serviceFeatures("delay_model_v1", Map.of("flights", events),
        Map.of("airport", List.of("ORD"), "route", List.of("ORD", "LAX")), Durations.parseInstant(at));
    assertThat(json.path("features")).hasSize(expected.size());
    for (JsonNode f : json.path("features")) {
      Object want = expected.get(f.path("name").asText());
      JsonNode got = f.path("value");
      if (want == null) {
        assertThat(got.isNull()).as(f.toString()).isTrue();
      } else if (want instanceof Double d) {
        assertThat(got.asDouble()).as(f.toString()).isEqualTo(d);
      } else if (want instanceof Long l) {
        assertThat(got.asLong()).as(f.toString()).isEqualTo(l);
      } else {
        assertThat(got.toString()).as(f.toString()).contains(String.valueOf(want).replace(" ", "").replace("[", "").replace("]", ""));
      }
    }
    StrataCliTest.Run table = StrataCliTest.run("get", "delay_model_v1", "airport=ORD", "origin=ORD", "destination=LAX",
        "--at", at, "-C", dir.toString());
    assertThat(table.out()).contains("origin_delays.avg_delay_7d").contains("PRESENT");
    assertThat(table.out()).doesNotContain("NOT_FOUND");
    // Issue 19 item 8: an airport the sample never had is NOT_FOUND with null values, counts
    // included (Feast's answer), and the table says how that differs from a count's empty value.
    StrataCliTest.Run unknown = StrataCliTest.run("get", "delay_model_v1", "airport=ZZZ", "origin=ZZZ", "destination=LAX",
        "--at", at, "-C", dir.toString());
    assertThat(unknown.code()).as(unknown.err()).isZero();
    assertThat(unknown.out().lines().filter(l -> l.startsWith("origin_delays.flights_1h ")))
        .singleElement().asString().contains(" null ").contains("NOT_FOUND");
    assertThat(unknown.out()).contains("NOT_FOUND: the online store has nothing for this entity")
        .contains("counts included, as Feast returns them").contains("has a count of 0 for an entity without events");
    // Before ORD's latest stored event the store cannot answer: one sentence naming when it can.
    StrataCliTest.Run early = StrataCliTest.run("get", "delay_model_v1", "airport=ORD", "origin=ORD", "destination=LAX",
        "--at", "2001-03-01T00:00:00Z", "-C", dir.toString());
    assertThat(early.code()).isEqualTo(1);
    assertThat(early.err().strip()).startsWith("strata: Cannot read group '").contains("as of 2001-03-01T00:00:00Z")
        .contains("; it answers as of 2001-03-").doesNotContain("\n").doesNotContain("Exception");
    StrataCliTest.Run outside = StrataCliTest.run("get", "delay_model_v1", "airport=ORD", "origin=ORD", "destination=LAX",
        "--at", "+294000-01-01T00:00:00Z", "-C", dir.toString());
    assertThat(outside.code()).isEqualTo(1);
    assertThat(outside.err().strip()).isEqualTo("strata: Cannot read --at '+294000-01-01T00:00:00Z': "
        + "Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
  }

  @Test
  void badKeysAndUnreachableRedisAreOneSentence(@TempDir Path tmp) throws IOException {
    Path dir = StrataCliTest.copyExample(tmp.resolve("flights"));
    StrataCliTest.Run noEq = StrataCliTest.run("get", "delay_model_v1", "ORD", "-C", dir.toString());
    assertThat(noEq.code()).isEqualTo(1);
    assertThat(noEq.err().strip()).isEqualTo("strata: Cannot read entity key 'ORD': write it as key=value, e.g. airport=ORD");
    StrataCliTest.Run unknown = StrataCliTest.run("get", "delay_modle_v1", "airport=ORD", "-C", dir.toString());
    assertThat(unknown.err().strip()).startsWith("strata: Cannot get features: project 'flights' has no feature service 'delay_modle_v1'; did you mean 'delay_model_v1'");
    // issue 20: a request input is given as name=value beside the keys; without it, one sentence names it
    StrataCliTest.Run noDistance = StrataCliTest.run("get", "delay_model_v2", "airport=ORD", "origin=ORD", "destination=LAX",
        "-C", dir.toString());
    assertThat(noDistance.code()).isEqualTo(1);
    assertThat(noDistance.err().strip()).isEqualTo("strata: Cannot fetch features of service 'delay_model_v2': entity row 0 has no"
        + " value for request input 'distance'; the service needs its request inputs beside the keys: distance (bigint)");
    StrataCliTest.Run badDistance = StrataCliTest.run("get", "delay_model_v2", "airport=ORD", "origin=ORD", "destination=LAX",
        "distance=far", "-C", dir.toString());
    assertThat(badDistance.err().strip()).startsWith("strata: Cannot read request input 'distance': ");
    // issue 19 item 6: a missing key names every key the service needs
    StrataCliTest.Run missing = StrataCliTest.run("get", "delay_model_v1", "airport=ORD", "-C", dir.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().strip()).isEqualTo("strata: Cannot fetch features of service 'delay_model_v1': entity row 0 has no"
        + " value for key 'origin'; the service needs every key of its entities: airport (string), origin (string), destination (string)");
    Files.writeString(dir.resolve("strata.yaml"), "redis:\n  url: redis://127.0.0.1:1\n");
    StrataCliTest.Run down = StrataCliTest.run("get", "delay_model_v1", "airport=ORD", "origin=ORD", "destination=LAX",
        "-C", dir.toString());
    assertThat(down.code()).isEqualTo(1);
    StrataCliTest.assertNoStackTrace(down);
    assertThat(down.err().strip()).doesNotContain("\n").startsWith("strata: ");
  }
}
