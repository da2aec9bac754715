package dev.strata.dsl.tile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The tile model equals the oracle: tiles built from the flights sample, merged as of sampled
 * instants (whole tiles plus the raw head), give exactly the oracle's values for every feature
 * of every group of the example.
 */
class TileModelTest {
  static final CompiledPlan PLAN = FlightsSample.plan();
  static final List<Object[]> EVENTS = FlightsSample.events();

  @Test
  void tilesMergedAsOfAnyInstantEqualTheOracle() {
    Oracle oracle = new Oracle(PLAN);
    Random random = new Random(42);
    for (CompiledGroup g : PLAN.groups()) {
      GroupTiler tiler = GroupTiler.of(PLAN, g.name());
      FeatureAssembler assembler = new FeatureAssembler(tiler);
      // key -> per spec: tile start -> IRs
      Map<List<Object>, List<NavigableMap<Long, Object[]>>> tiles = new HashMap<>();
      Map<List<Object>, List<Object[]>> eventsByKey = new HashMap<>();
      for (Object[] row : EVENTS) {
        List<Object> key = tiler.keyOf(row);
        if (key == null) {
          continue;
        }
        eventsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        List<NavigableMap<Long, Object[]>> specs = tiles.computeIfAbsent(key, k -> {
          List<NavigableMap<Long, Object[]>> l = new ArrayList<>();
          for (int s = 0; s < tiler.specCount(); s++) {
            l.add(new TreeMap<>());
          }
          return l;
        });
        for (int s = 0; s < tiler.specCount(); s++) {
          long start = tiler.tileStart(s, tiler.eventTime(row));
          int spec = s;
          specs.get(s).compute(start, (k, irs) -> tiler.update(spec, irs, row));
        }
      }
      List<List<Object>> keys = new ArrayList<>(eventsByKey.keySet());
      keys.sort((a, b) -> a.toString().compareTo(b.toString()));
      int checked = 0;
      for (int i = 0; i < 60; i++) {
        List<Object> key = keys.get(random.nextInt(keys.size()));
        List<Object[]> own = eventsByKey.get(key);
        // As of an event's own time (a spine row), just after it, and at an arbitrary instant.
        long eventTime = tiler.eventTime(own.get(random.nextInt(own.size())));
        for (long t : new long[] {eventTime, eventTime + 1, eventTime + random.nextInt(3 * 86_400) * Durations.SECOND}) {
          List<Object[]> heads = new ArrayList<>();
          for (int s = 0; s < tiler.specCount(); s++) {
            long headStart = Durations.floor(t, tiler.hop(s));
            Object[] head = null;
            for (Object[] row : own) {
              long et = tiler.eventTime(row);
              if (et >= headStart && et < t) {
                head = tiler.update(s, head, row);
              }
            }
            heads.add(head);
          }
          Object[] values = assembler.valuesAsOf(t, tiles.get(key), heads);
          Map<String, Object> expected = oracle.groupFeatures(g.name(), EVENTS, key, t);
          for (int f = 0; f < values.length; f++) {
            CompiledFeature feature = g.features().get(f);
            assertThat(values[f]).as("%s for %s as of %s", feature.qualifiedName(), key, Durations.formatInstant(t))
                .isEqualTo(expected.get(feature.name()));
            checked++;
          }
        }
      }
      assertThat(checked).isGreaterThan(100);
    }
  }

  /**
   * The online read: only events before t are stored, the open tile at floor(t, h) is the head,
   * and the assembler merges straight from the encoded tiles (extra later tiles ignored).
   */
  @Test
  void encodedTilesOfEventsBeforeTEqualTheOracle() {
    Oracle oracle = new Oracle(PLAN);
    Random random = new Random(7);
    for (CompiledGroup g : PLAN.groups()) {
      GroupTiler tiler = GroupTiler.of(PLAN, g.name());
      FeatureAssembler assembler = new FeatureAssembler(tiler);
      Map<List<Object>, List<Object[]>> eventsByKey = new HashMap<>();
      for (Object[] row : EVENTS) {
        List<Object> key = tiler.keyOf(row);
        if (key != null) {
          eventsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(row);
        }
      }
      List<List<Object>> keys = new ArrayList<>(eventsByKey.keySet());
      keys.sort((a, b) -> a.toString().compareTo(b.toString()));
      int checked = 0;
      for (int i = 0; i < 40; i++) {
        List<Object> key = keys.get(random.nextInt(keys.size()));
        List<Object[]> own = eventsByKey.get(key);
        long eventTime = tiler.eventTime(own.get(random.nextInt(own.size())));
        for (long t : new long[] {eventTime, eventTime + 1, eventTime + random.nextInt(3 * 86_400) * Durations.SECOND}) {
          List<EncodedTiles> encoded = new ArrayList<>();
          for (int s = 0; s < tiler.specCount(); s++) {
            int spec = s;
            NavigableMap<Long, Object[]> byStart = new TreeMap<>();
            for (Object[] row : own) {
              if (tiler.eventTime(row) < t) {
                byStart.compute(tiler.tileStart(s, tiler.eventTime(row)), (k, irs) -> tiler.update(spec, irs, row));
              }
            }
            EncodedTiles tiles = new EncodedTiles(tiler.aggregator(s), 1);
            // newest first, and a tile after t that must be ignored
            byStart.descendingMap().forEach((start, irs) -> tiles.add(start, tiler.aggregator(spec).encode(irs)));
            if (!byStart.isEmpty()) {
              tiles.add(Durations.floor(t, tiler.hop(s)) + tiler.hop(s), tiler.aggregator(s).encode(byStart.firstEntry().getValue()));
            }
            encoded.add(tiles);
          }
          Object[] values = assembler.valuesAsOf(t, encoded);
          Map<String, Object> expected = oracle.groupFeatures(g.name(), EVENTS, key, t);
          for (int f = 0; f < values.length; f++) {
            CompiledFeature feature = g.features().get(f);
            assertThat(values[f]).as("%s for %s as of %s", feature.qualifiedName(), key, Durations.formatInstant(t))
                .isEqualTo(expected.get(feature.name()));
            checked++;
          }
        }
      }
      assertThat(checked).isGreaterThan(100);
    }
  }

  @Test
  void tileBytesDoNotDependOnEventOrder() {
    GroupTiler tiler = GroupTiler.of(PLAN, "origin_delays");
    List<Object[]> shuffled = new ArrayList<>(EVENTS);
    java.util.Collections.shuffle(shuffled, new Random(3));
    Map<String, byte[]> a = encodeAll(tiler, EVENTS);
    Map<String, byte[]> b = encodeAll(tiler, shuffled);
    assertThat(a.keySet()).isEqualTo(b.keySet());
    a.forEach((k, bytes) -> assertThat(b.get(k)).as(k).isEqualTo(bytes));
  }

  static Map<String, byte[]> encodeAll(GroupTiler tiler, List<Object[]> events) {
    Map<String, Object[]> tiles = new HashMap<>();
    for (Object[] row : events) {
      List<Object> key = tiler.keyOf(row);
      if (key == null) {
        continue;
      }
      for (int s = 0; s < tiler.specCount(); s++) {
        int spec = s;
        tiles.compute(key + "/" + s + "/" + tiler.tileStart(s, tiler.eventTime(row)), (k, irs) -> tiler.update(spec, irs, row));
      }
    }
    Map<String, byte[]> out = new HashMap<>();
    tiles.forEach((k, irs) -> out.put(k, tiler.aggregator(Integer.parseInt(k.split("/")[1])).encode(irs)));
    return out;
  }
}
