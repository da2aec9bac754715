package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.tile.FeatureAssembler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.time.Durations;
import java.util.ArrayList;
import dev.strata.online.EncodedTile;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Random;
import java.util.TreeMap;

/** What a stream job must have written for a list of events: GroupTiler's tiles, and the oracle's values. */
final class Expected {
  private Expected() {}

  /** Tile id → encoded IRs of every online group of {@code source}, built directly by GroupTiler. */
  static Map<EncodedTile.Id, byte[]> tiles(CompiledPlan plan, String source, List<Object[]> events) {
    Map<EncodedTile.Id, byte[]> out = new HashMap<>();
    for (String name : StreamPipeline.onlineGroups(plan, source)) {
      GroupTiler tiler = GroupTiler.of(plan, name);
      Map<EncodedTile.Id, Object[]> irs = new HashMap<>();
      for (Object[] row : events) {
        List<Object> key = tiler.keyOf(row);
        if (key == null) {
          continue;
        }
        for (int s = 0; s < tiler.specCount(); s++) {
          long start = tiler.tileStart(s, tiler.eventTime(row));
          EncodedTile.Id id = new EncodedTile.Id(name, tiler.group().version(), key, tiler.hop(s), start);
          int spec = s;
          irs.compute(id, (k, v) -> tiler.update(spec, v, row));
        }
      }
      irs.forEach((id, v) -> {
        int spec = tiler.geometry().specOfHop(id.hopMicros());
        out.put(id, tiler.aggregator(spec).encode(v));
      });
    }
    return out;
  }

  /** Asserts the written tiles are exactly the expected ones, byte for byte. */
  static void assertSameTiles(Map<EncodedTile.Id, EncodedTile> written, Map<EncodedTile.Id, byte[]> expected) {
    assertThat(written.keySet()).as("tile ids").containsExactlyInAnyOrderElementsOf(expected.keySet());
    int differing = 0;
    String first = null;
    for (Map.Entry<EncodedTile.Id, byte[]> e : expected.entrySet()) {
      if (!Arrays.equals(written.get(e.getKey()).bytes(), e.getValue())) {
        differing++;
        first = first == null ? written.get(e.getKey()).toString() : first;
      }
    }
    assertThat(differing).as("tiles whose bytes differ, first: %s", first).isZero();
  }

  /**
   * Online values from the written tiles (FeatureAssembler, as the reader does) equal the oracle's
   * for sampled keys at day boundaries inside the data (every hop divides a day, so no head).
   */
  static int assertOracleValues(CompiledPlan plan, String source, Map<EncodedTile.Id, EncodedTile> written, List<Object[]> events, int keysPerGroup) {
    Oracle oracle = new Oracle(plan);
    Random random = new Random(7);
    int checked = 0;
    for (String name : StreamPipeline.onlineGroups(plan, source)) {
      GroupTiler tiler = GroupTiler.of(plan, name);
      CompiledGroup g = tiler.group();
      FeatureAssembler assembler = new FeatureAssembler(tiler);
      Map<List<Object>, List<NavigableMap<Long, Object[]>>> byKey = new HashMap<>();
      for (EncodedTile t : written.values()) {
        if (!t.group().equals(name)) {
          continue;
        }
        List<NavigableMap<Long, Object[]>> specs = byKey.computeIfAbsent(t.key(), k -> {
          List<NavigableMap<Long, Object[]>> l = new ArrayList<>();
          for (int s = 0; s < tiler.specCount(); s++) {
            l.add(new TreeMap<>());
          }
          return l;
        });
        int spec = tiler.geometry().specOfHop(t.hopMicros());
        specs.get(spec).put(t.startMicros(), tiler.aggregator(spec).decode(t.bytes()));
      }
      List<List<Object>> keys = new ArrayList<>(new LinkedHashSet<>(byKey.keySet()));
      keys.sort((a, b) -> a.toString().compareTo(b.toString()));
      long first = events.stream().mapToLong(tiler::eventTime).min().orElseThrow();
      long last = events.stream().mapToLong(tiler::eventTime).max().orElseThrow();
      for (int i = 0; i < keysPerGroup; i++) {
        List<Object> key = keys.get(random.nextInt(keys.size()));
        long day = Durations.startOfDay(first) + Durations.DAY * (1 + random.nextInt((int) ((last - first) / Durations.DAY) + 1));
        Object[] values = assembler.valuesAsOf(day, byKey.get(key), null);
        Map<String, Object> expected = oracle.groupFeatures(name, events, key, day);
        for (int f = 0; f < values.length; f++) {
          CompiledFeature feature = g.features().get(f);
          assertThat(values[f]).as("%s for %s as of %s", feature.qualifiedName(), key, Durations.formatInstant(day))
              .isEqualTo(expected.get(feature.name()));
          checked++;
        }
      }
    }
    return checked;
  }
}
