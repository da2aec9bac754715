package dev.strata.online;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;

/** The flights sample, its tilers, and checks of served values against the oracle. */
final class FlightsFixture {
  static final String SERVICE = "delay_model_v1";
  static final CompiledPlan PLAN = FlightsSample.plan();
  static final List<Object[]> EVENTS = sorted(FlightsSample.events());
  static final Oracle ORACLE = new Oracle(PLAN);

  private FlightsFixture() {}

  private static List<Object[]> sorted(List<Object[]> events) {
    List<Object[]> copy = new ArrayList<>(events);
    copy.sort(Comparator.comparingLong(r -> (Long) r[0]));
    return copy;
  }

  static List<EventTiler> tilers() {
    List<EventTiler> out = new ArrayList<>();
    for (CompiledGroup g : PLAN.groups()) {
      if (g.online()) {
        out.add(new EventTiler(PLAN, g.name()));
      }
    }
    return out;
  }

  /** Feeds events with time in [from, to) to the tilers, writes the changed tiles. */
  static void stream(List<EventTiler> tilers, TileWriter writer, long from, long to) {
    for (Object[] row : EVENTS) {
      long t = (Long) row[0];
      if (t >= from && t < to) {
        tilers.forEach(x -> x.add(row));
      }
    }
    List<EncodedTile> batch = new ArrayList<>();
    tilers.forEach(x -> batch.addAll(x.drainChanged()));
    writer.write(batch);
  }

  /** Entity rows (airport = origin, route = origin → destination) of events before t. */
  static List<Map<String, Object>> rows(long before, int count, long seed) {
    LinkedHashSet<List<Object>> routes = new LinkedHashSet<>();
    for (Object[] row : EVENTS) {
      if ((Long) row[0] < before && row[3] != null && row[4] != null) {
        routes.add(List.of(row[3], row[4]));
      }
    }
    List<List<Object>> all = new ArrayList<>(routes);
    java.util.Collections.shuffle(all, new Random(seed));
    List<Map<String, Object>> out = new ArrayList<>();
    for (List<Object> r : all.subList(0, Math.min(count, all.size()))) {
      out.add(Map.of("airport", r.get(0), "origin", r.get(0), "destination", r.get(1)));
    }
    // An airport and route that never occur: every group NOT_FOUND.
    out.add(Map.of("airport", "ZZZ", "origin", "ZZZ", "destination", "YYY"));
    return out;
  }

  static Map<String, Object> expected(Map<String, Object> row, long t) {
    return expected(row, t, EVENTS);
  }

  /** Events before {@code t}: what the store holds after streaming up to t. */
  static List<Object[]> before(long t) {
    return EVENTS.stream().filter(r -> (Long) r[0] < t).toList();
  }

  static Map<String, Object> expected(Map<String, Object> row, long t, List<Object[]> events) {
    Map<String, List<Object>> keys = new LinkedHashMap<>();
    keys.put("airport", List.of(row.get("airport")));
    keys.put("route", List.of(row.get("origin"), row.get("destination")));
    return ORACLE.serviceFeatures(SERVICE, Map.of("flights", events), keys, t);
  }

  /** Asserts every served value equals the oracle's (NULL with NOT_FOUND / OUTSIDE_TTL where the oracle has an empty value). */
  /** The same values, statuses and event times, row by row. */
  static void assertSameFeatures(OnlineFeatures actual, OnlineFeatures expected) {
    assertThat(actual.size()).isEqualTo(expected.size());
    for (int r = 0; r < actual.size(); r++) {
      assertThat(actual.row(r)).as("row %d", r).isEqualTo(expected.row(r));
      for (int f = 0; f < expected.featureNames().size(); f++) {
        assertThat(actual.status(r, f)).as("status of row %d, feature %d", r, f).isEqualTo(expected.status(r, f));
        assertThat(actual.eventTimeMicros(r, f)).as("time of row %d, feature %d", r, f).isEqualTo(expected.eventTimeMicros(r, f));
      }
    }
  }

  static int assertMatchesOracle(OnlineFeatures got, List<Map<String, Object>> rows, long t) {
    return assertMatchesOracle(got, rows, t, EVENTS);
  }

  static int assertMatchesOracle(OnlineFeatures got, List<Map<String, Object>> rows, long t, List<Object[]> events) {
    int checked = 0;
    List<ServiceFeature> features = PLAN.service(SERVICE).orElseThrow().features();
    for (int r = 0; r < rows.size(); r++) {
      Map<String, Object> expected = expected(rows.get(r), t, events);
      for (int f = 0; f < got.featureNames().size(); f++) {
        String name = got.featureNames().get(f);
        String what = name + " for " + rows.get(r) + " as of " + Durations.formatInstant(t);
        FeatureStatus status = got.status(r, f);
        if (status == FeatureStatus.PRESENT || f >= features.size()) {
          if (status != FeatureStatus.PRESENT && expected.get(name) != null && !Objects.equals(expected.get(name), Boolean.FALSE)) {
            // Derived over NULL inputs: compare as computed.
            assertThat(got.value(r, f)).as(what).isEqualTo(expected.get(name));
          } else if (status == FeatureStatus.PRESENT) {
            assertThat(got.value(r, f)).as(what).isEqualTo(expected.get(name));
          }
        } else {
          assertThat(got.value(r, f)).as(what).isNull();
          Object e = expected.get(name);
          assertThat(e == null || Objects.equals(e, 0L)).as("oracle value of %s is empty: %s", what, e).isTrue();
        }
        checked++;
      }
    }
    return checked;
  }
}
