package dev.strata.online;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.time.Durations;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The key and field layout and the fast tile decoder (the block cover is TileGeometryTest's). */
class LayoutTest {
  @Test
  void keysHashTagTheEscapedEntity() {
    CompiledGroup g = FlightsFixture.PLAN.group("route_delays").orElseThrow();
    assertThat(RedisLayout.standard().key(g, List.of("ORD", "LAX")))
        .isEqualTo("strata:v1:{ORD,LAX}:route_delays:" + g.version());
    assertThat(RedisLayout.encodeEntity(List.of("a,b", "{x}:%", 42L))).isEqualTo("a%2Cb,%7Bx%7D%3A%25,42");
    assertThat(RedisLayout.encodeEntity(List.of("Zürich\n"))).isEqualTo("Zürich%0A");
    assertThat(RedisLayout.field(Durations.HOUR, 8 * Durations.HOUR, Durations.parseInstant("2001-01-01")))
        .isEqualTo("1h:8h:978307200");
    assertThat(RedisLayout.parseField("1h:8h:978307200"))
        .isEqualTo(new RedisLayout.Block(Durations.HOUR, 8 * Durations.HOUR, Durations.parseInstant("2001-01-01")));
    assertThat(RedisLayout.parseField("@t")).isNull();
    assertThatThrownBy(() -> new RedisLayout("a{b")).hasMessageStartingWith("Cannot use key prefix");
  }

  @Test
  void everyFlightsTileDecodesToTheSameBytesAndValues() {
    for (CompiledGroup g : FlightsFixture.PLAN.groups()) {
      EventTiler tiler = new EventTiler(FlightsFixture.PLAN, g.name());
      FlightsFixture.EVENTS.forEach(tiler::add);
      int checked = 0;
      for (EncodedTile tile : tiler.all()) {
        var agg = tiler.tiler().aggregator(tiler.tiler().geometry().specOfHop(tile.hopMicros()));
        byte[] bytes = tile.bytes();
        Object[] decoded = agg.decode(bytes);
        assertThat(HexFormat.of().formatHex(agg.encode(decoded))).isEqualTo(HexFormat.of().formatHex(bytes));
        // Merging the bytes into an empty row (what roll-ups and reads do) gives the decoded values.
        assertThat(agg.finish(agg.mergeEncoded(agg.create(), bytes))).isEqualTo(agg.finish(decoded));
        checked++;
      }
      assertThat(checked).isGreaterThan(100);
      var agg = tiler.tiler().aggregator(0);
      assertThatThrownBy(() -> agg.decode(new byte[] {1, 5, 0}))
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("Cannot decode");
    }
  }

  @Test
  void configFromUrls() {
    OnlineStoreConfig c = OnlineStoreConfig.fromUrl("rediss://app:p%40ss@cache:6380/3?prefix=prod&timeout_ms=250");
    assertThat(c.tls()).isTrue();
    assertThat(c.user()).isEqualTo("app");
    assertThat(c.password()).isEqualTo("p@ss");
    assertThat(c.nodes()).containsExactly("cache:6380");
    assertThat(c.database()).isEqualTo(3);
    assertThat(c.prefix()).isEqualTo("prod");
    assertThat(c.socketTimeoutMillis()).isEqualTo(250);
    assertThat(c.toString()).doesNotContain("p@ss");
    OnlineStoreConfig cluster = OnlineStoreConfig.fromUrl("redis://a:7000,b:7001");
    assertThat(cluster.cluster()).isTrue();
    assertThat(cluster.nodes()).containsExactly("a:7000", "b:7001");
    assertThat(OnlineStoreConfig.fromUrl("redis://secret@h").password()).isEqualTo("secret");
    assertThatThrownBy(() -> OnlineStoreConfig.fromUrl("http://h")).hasMessageStartingWith("Cannot parse Redis URL");
    assertThatThrownBy(() -> OnlineStoreConfig.fromUrl("redis://u:pw@h?bogus=1")).hasMessageNotContaining("pw@")
        .hasMessageContaining("unknown option 'bogus'");
  }

  @Test
  void latestEventTimeParsesDecimalMicros() {
    Random random = new Random(9);
    List<Long> samples = new java.util.ArrayList<>(List.of(0L, 1L, -1L, Long.MAX_VALUE, Long.MIN_VALUE,
        1_768_479_780_000_000L, -978_307_200_000_000L));
    for (int i = 0; i < 1_000; i++) {
      samples.add(random.nextLong() >> random.nextInt(64));
    }
    for (long v : samples) {
      assertThat(RedisLayout.parseLatest(Long.toString(v).getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
          .isEqualTo(v);
    }
    for (String bad : List.of("", "-", "12a", " 1", "+5", "9223372036854775808", "-9223372036854775809",
        "99999999999999999999", "1.5")) {
      assertThatThrownBy(() -> RedisLayout.parseLatest(bad.getBytes(java.nio.charset.StandardCharsets.US_ASCII)))
          .as("'%s'", bad)
          .isInstanceOf(OnlineStoreException.class)
          .hasMessage("Cannot read the latest event time of a key: '" + bad + "' is not a decimal number of microseconds");
    }
  }
  /** Trimming's byte-level read of a block's start agrees with {@link RedisLayout#parseField}. */
  @Test
  void blockStartFromBytesAgreesWithParseField() {
    Random random = new Random(11);
    long[] hops = {Durations.MINUTE, 5 * Durations.MINUTE, Durations.HOUR, Durations.DAY, 7 * Durations.DAY};
    for (int i = 0; i < 5_000; i++) {
      long hop = hops[random.nextInt(hops.length)];
      long span = hop << random.nextInt(10);
      long start = Durations.floor((random.nextLong() >> random.nextInt(20, 40)) * Durations.SECOND, span);
      byte[] field = RedisLayout.fieldBytes(hop, span, start);
      RedisLayout.Block parsed = RedisLayout.parseField(RedisLayout.field(hop, span, start));
      assertThat(RedisLayout.blockStart(field, RedisLayout.hopPrefix(hop))).isEqualTo(parsed.startMicros()).isEqualTo(start);
      long other = hops[random.nextInt(hops.length)];
      if (other != hop) {
        assertThat(RedisLayout.blockStart(field, RedisLayout.hopPrefix(other))).isEqualTo(Long.MIN_VALUE);
      }
    }
    byte[] hour = RedisLayout.hopPrefix(Durations.HOUR);
    for (String notABlock : List.of("@t", "1h:", "1h:2h", "1h:2h:", "1h:2h:x1", "1h:2h:99999999999999999", "10h:20h:3600", "1h")) {
      assertThat(RedisLayout.blockStart(notABlock.getBytes(java.nio.charset.StandardCharsets.UTF_8), hour)).as(notABlock)
          .isEqualTo(Long.MIN_VALUE);
    }
  }
}
