package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.operators.ProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tiling operator's keyed state across a restore under another plan, watched key by key in
 * Flink's operator test harness: what resumes, what starts clean, and that the state of group
 * versions the plan no longer streams actually leaves (no key of theirs is left, and at the end
 * no entry at all).
 */
class TileStateRestoreTest {
  static final OutputTag<DeadLetter> DEAD = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));
  static final long DAY1 = Durations.parseInstant("2001-01-10T00:00:00Z");
  static final long NOON2 = Durations.parseInstant("2001-01-11T12:00:00Z");

  @TempDir
  Path dir;

  @Test
  void aRestoreUnderAnotherPlanResumesUnchangedGroupsStartsOthersCleanAndDropsTheRest() throws Exception {
    ProjectSnapshot p1 = project("p1", f -> f, e -> e);
    // P2: a group first in plan order, destination_delays with another window, route_delays no longer online.
    ProjectSnapshot p2 = project("p2", f -> f
        .replace("feature_groups:\n", PlanUpgradeJobTest.NEW_GROUP_YAML)
        .replace("avg_arrival_delay, function: avg, input: delay, windows: [1d, 7d]",
            "avg_arrival_delay, function: avg, input: delay, windows: [1d, 3d]")
        .replace("    online: true\n    ttl: 60d", "    online: false\n    ttl: 60d"), e -> e);
    CompiledPlan plan1 = p1.plan();
    CompiledPlan plan2 = p2.plan();
    assertThat(StreamPipeline.onlineGroups(plan2, "flights")).containsExactly("origin_distance", "origin_delays", "destination_delays");
    assertThat(version(plan2, "origin_delays")).isEqualTo(version(plan1, "origin_delays"));
    assertThat(version(plan2, "destination_delays")).isNotEqualTo(version(plan1, "destination_delays"));
    String origin = stateGroup(plan1, "origin_delays");
    String oldDestination = stateGroup(plan1, "destination_delays");
    String route = stateGroup(plan1, "route_delays");

    // A day and a half of flights under P1, then a snapshot (no watermark yet: every tile open).
    List<Object[]> before = FlightsSample.events().stream()
        .filter(r -> (Long) r[0] >= DAY1 && (Long) r[0] < NOON2).toList();
    long last = before.stream().mapToLong(r -> (Long) r[0]).max().orElseThrow();
    OperatorSubtaskState snapshot;
    try (var h = tiles(p1)) {
      h.open();
      for (KeyedEvent e : keyed(p1, before)) {
        h.processElement(e, e.micros() / 1000);
      }
      assertThat(keyGroups(h)).containsOnly(origin, oldDestination, route);
      snapshot = h.snapshot(1, 1);
    }

    // Once the watermark is past the cleanup time of every tile of an hour or less (each key of
    // these groups has one), P1's own restore still holds route tiles of a day.
    long hourTilesClosed = (Durations.floor(last, Durations.HOUR) + 2 * Durations.HOUR) / 1000;
    try (var control = tiles(p1)) {
      control.initializeState(snapshot);
      control.open();
      control.processWatermark(hourTilesClosed);
      assertThat(keyGroups(control)).contains(route);
      control.processWatermark(Long.MAX_VALUE);
      assertThat(control.numKeyedStateEntries()).isZero();
    }

    // P2 from the same snapshot: the last flight again (inside open tiles of every hop), and a later one.
    Object[] again = before.stream().filter(r -> (Long) r[0] == last).findFirst().orElseThrow().clone();
    again[1] = 42L;
    Object[] later = again.clone();
    later[0] = Durations.floor(last, Durations.HOUR) + 90 * Durations.MINUTE; // in the next hour: keeps origin_delays tiles open
    try (var h = tiles(p2); CapturedLog log = new CapturedLog(TileFunction.class)) {
      h.initializeState(snapshot);
      h.open();
      assertThat(keyGroups(h)).as("restored, before any timer").containsOnly(origin, oldDestination, route);
      assertThat(log.messages).anySatisfy(m -> assertThat(m).isEqualTo("Stream state of source 'flights': group 'route_delays' "
          + "version " + version(plan1, "route_delays") + " is no longer streamed: its open tiles are dropped"));

      for (KeyedEvent e : keyed(p2, List.of(again, later))) {
        h.processElement(e, e.micros() / 1000);
      }
      // Each tile written for `again` is the tile of the events its group version has seen.
      List<Object[]> withAgain = new ArrayList<>(before);
      withAgain.add(again);
      Map<EncodedTile.Id, byte[]> resumed = Expected.tiles(plan2, "flights", withAgain);
      Map<EncodedTile.Id, byte[]> clean = Expected.tiles(plan2, "flights", List.<Object[]>of(again));
      List<EncodedTile> written = h.extractOutputValues().stream().filter(t -> t.latestEventMicros() == last).toList();
      assertThat(written).extracting(EncodedTile::group).contains("origin_distance", "origin_delays", "destination_delays");
      for (EncodedTile t : written) {
        byte[] expected = (t.group().equals("origin_delays") ? resumed : clean).get(t.id());
        assertThat(t.bytes()).as("%s", t).isEqualTo(expected);
      }
      assertThat(written.stream().filter(t -> t.group().equals("origin_delays")))
          .as("resumed tiles hold the events before the snapshot")
          .allSatisfy(t -> assertThat(t.bytes()).isNotEqualTo(clean.get(t.id())));

      h.processWatermark(hourTilesClosed);
      assertThat(keyGroups(h)).as("after the timers of the restored keys")
          .containsOnly(origin, stateGroup(plan2, "destination_delays"), stateGroup(plan2, "origin_distance"));
      h.processWatermark(Long.MAX_VALUE);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  @Test
  void timersRestoredUnderAnotherAllowedLatenessStillCloseTheirTilesAndNotTooEarly() throws Exception {
    ProjectSnapshot p1 = project("p1", f -> f, e -> e);
    ProjectSnapshot longer = project("p3", f -> f, e -> e.replace("allowed_lateness: 1h", "allowed_lateness: 3h"));
    assertThat(longer.plan().source("flights").orElseThrow().stream().allowedLatenessMicros()).isEqualTo(3 * Durations.HOUR);
    assertThat(longer.plan().group("origin_delays").orElseThrow().version()).isEqualTo(version(p1.plan(), "origin_delays"));
    long t = Durations.parseInstant("2001-01-10T10:15:00Z");
    Object[] first = {t, 5L, 700L, "ORD", "LGA"};
    Object[] second = {t + 5 * Durations.MINUTE, 25L, 700L, "ORD", "LGA"};
    OperatorSubtaskState snapshot;
    try (var h = tiles(p1)) {
      h.open();
      for (KeyedEvent e : keyed(p1, List.<Object[]>of(first))) {
        h.processElement(e, e.micros() / 1000);
      }
      snapshot = h.snapshot(1, 1);
    }
    try (var h = tiles(longer)) {
      h.initializeState(snapshot);
      h.open();
      // Past the 1h tile's end + the old lateness: its restored timer fires, but under 3h an
      // event of the tile is still accepted, so the tile must still be there for it.
      long tileEnd = Durations.parseInstant("2001-01-10T11:00:00Z");
      h.processWatermark((tileEnd + Durations.HOUR) / 1000 + 1);
      for (KeyedEvent e : keyed(longer, List.<Object[]>of(second))) {
        h.processElement(e, e.micros() / 1000);
      }
      Map<EncodedTile.Id, byte[]> expected = Expected.tiles(longer.plan(), "flights", List.of(first, second));
      List<EncodedTile> written = h.extractOutputValues().stream().filter(w -> w.hopMicros() == Durations.HOUR).toList();
      assertThat(written).isNotEmpty().allSatisfy(w -> assertThat(w.bytes()).as("%s", w).isEqualTo(expected.get(w.id())));
      // ... and every tile still leaves state once the new lateness has passed (the route's 1d tile last).
      h.processWatermark((Durations.parseInstant("2001-01-11T00:00:00Z") + 3 * Durations.HOUR) / 1000 + 1);
      assertThat(h.numKeyedStateEntries()).isZero();
    }
  }

  /** The group parts ({@link TileStateKey#groupOf}) of the keys with open tiles. */
  static Set<String> keyGroups(KeyedOneInputStreamOperatorTestHarness<String, KeyedEvent, EncodedTile> h) {
    try (var keys = h.getOperator().<String>getKeyedStateBackend().getKeys("open-tiles", VoidNamespace.INSTANCE)) {
      return keys.map(TileStateKey::groupOf).collect(Collectors.toCollection(TreeSet::new));
    }
  }

  static KeyedOneInputStreamOperatorTestHarness<String, KeyedEvent, EncodedTile> tiles(ProjectSnapshot project) throws Exception {
    long lateness = project.plan().source("flights").orElseThrow().stream().allowedLatenessMicros();
    TileFunction f = new TileFunction(project, "flights", StreamPipeline.onlineGroups(project.plan(), "flights"), lateness, DEAD);
    return new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(f), KeyedEvent::stateKey, Types.STRING);
  }

  /** The events keyed as the job keys them: through KeyFunction. */
  static List<KeyedEvent> keyed(ProjectSnapshot project, List<Object[]> rows) throws Exception {
    long lateness = project.plan().source("flights").orElseThrow().stream().allowedLatenessMicros();
    KeyFunction f = new KeyFunction(project, "flights", StreamPipeline.onlineGroups(project.plan(), "flights"), lateness, DEAD);
    try (var h = new OneInputStreamOperatorTestHarness<Parsed, KeyedEvent>(new ProcessOperator<>(f))) {
      h.open();
      for (Object[] row : rows) {
        h.processElement(Parsed.ok(Arrays.toString(row), row, (Long) row[0]), (Long) row[0] / 1000);
      }
      return h.extractOutputValues();
    }
  }

  ProjectSnapshot project(String name, UnaryOperator<String> features, UnaryOperator<String> entities) throws Exception {
    Path p = PlanUpgradeJobTest.copyExample(dir.resolve(name));
    for (var edit : Map.of("features.yaml", features, "entities.yaml", entities).entrySet()) {
      String before = Files.readString(p.resolve(edit.getKey()));
      String after = edit.getValue().apply(before);
      Files.writeString(p.resolve(edit.getKey()), after);
    }
    return ProjectSnapshot.read(p);
  }

  static String version(CompiledPlan plan, String group) {
    return plan.group(group).orElseThrow().version();
  }

  static String stateGroup(CompiledPlan plan, String group) {
    CompiledGroup g = plan.group(group).orElseThrow();
    return TileStateKey.group(g.name(), g.version());
  }
}
