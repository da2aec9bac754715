package dev.strata.dsl.oracle;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanCompiler;
import dev.strata.dsl.time.Durations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Pins docs/design.md's definition of time and windows on hand-computed cases. */
class OracleEdgeCaseTest {
  static final String DEFS = """
      entities:
        airport: { keys: { airport: string } }
      sources:
        flights:
          timestamp: date
          schema: { date: timestamp, delay: int, origin: string }
      feature_groups:
        g:
          entity: airport
          source: flights
          keys: { airport: origin }
          aggregations:
            - { name: rows,    function: count, windows: [1h, lifetime] }
            - { name: delays,  function: count, input: delay, windows: [1h] }
            - { name: total,   function: sum,   input: delay, windows: [1h] }
            - { name: mean,    function: avg,   input: delay, windows: [1h] }
            - { name: worst,   function: max,   input: delay, windows: [1h] }
            - { name: latest,  function: last,  input: delay, windows: [1d] }
            - { name: wide,    function: count, windows: [2h], hop: 1h }
        positive:
          entity: airport
          source: flights
          keys: { airport: origin }
          filter: "delay > 0"
          aggregations:
            - { name: rows, function: count, windows: [1d] }
      feature_services:
        svc:
          features: [g.rows_1h, g.total_1h, positive.rows_1d]
          derived:
            - { name: share_positive, expr: "CAST(positive.rows_1d AS double) / g.rows_1h" }
      training_sets:
        ts:
          service: svc
          spine: { source: flights, keys: { airport: origin }, label: "delay > 15" }
      """;

  static final CompiledPlan PLAN = compile();
  static final Oracle ORACLE = new Oracle(PLAN);
  static final List<Object> ORD = List.of("ORD");

  static CompiledPlan compile() {
    ProjectLoader.Loaded loaded = ProjectLoader.loadString("defs.yaml", DEFS);
    return PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
  }

  static long at(String iso) {
    return Durations.parseInstant(iso);
  }

  static Object[] event(String iso, Long delay, String origin) {
    return new Object[] {at(iso), delay, origin};
  }

  static Map<String, Object> g(List<Object[]> events, String t) {
    return ORACLE.groupFeatures("g", events, ORD, at(t));
  }

  @Test
  void eventExactlyAtTIsExcluded() {
    List<Object[]> events = List.<Object[]>of(event("2001-01-01T10:00:00Z", 5L, "ORD"));
    assertThat(g(events, "2001-01-01T10:00:00Z").get("rows_1h")).isEqualTo(0L);
    assertThat(g(events, "2001-01-01T10:00:00.000001Z").get("rows_1h")).isEqualTo(1L);
  }

  @Test
  void windowStartIsRoundedDownToTheHopAndIncluded() {
    // W = 1h, default hop 1m; as of 10:30:30 the window is [09:30:00, 10:30:30).
    List<Object[]> events = List.of(
        event("2001-01-01T09:29:59.999999Z", 1L, "ORD"), // before the rounded start: out
        event("2001-01-01T09:30:00Z", 2L, "ORD"),        // exactly the rounded start: in
        event("2001-01-01T09:30:15Z", 4L, "ORD"),        // before t - W but after the rounded start: in
        event("2001-01-01T10:30:29.999999Z", 8L, "ORD"), // just before t: in
        event("2001-01-01T10:30:30Z", 16L, "ORD"));      // at t: out
    Map<String, Object> v = g(events, "2001-01-01T10:30:30Z");
    assertThat(v.get("rows_1h")).isEqualTo(3L);
    assertThat(v.get("total_1h")).isEqualTo(14L);
    assertThat(v.get("worst_1h")).isEqualTo(8L);
  }

  @Test
  void explicitHopRoundsTheStartToThatHop() {
    // W = 2h, hop 1h; as of 10:30 the window is [08:00, 10:30).
    List<Object[]> events = List.of(
        event("2001-01-01T07:59:59Z", 1L, "ORD"),
        event("2001-01-01T08:00:00Z", 1L, "ORD"),
        event("2001-01-01T08:20:00Z", 1L, "ORD"));
    assertThat(g(events, "2001-01-01T10:30:00Z").get("wide_2h")).isEqualTo(2L);
  }

  @Test
  void nullInputsAreIgnoredButCountStarCountsRows() {
    List<Object[]> events = List.of(
        event("2001-01-01T10:00:00Z", null, "ORD"),
        event("2001-01-01T10:10:00Z", 6L, "ORD"),
        event("2001-01-01T10:20:00Z", null, "ORD"));
    Map<String, Object> v = g(events, "2001-01-01T10:30:00Z");
    assertThat(v.get("rows_1h")).isEqualTo(3L);
    assertThat(v.get("delays_1h")).isEqualTo(1L);
    assertThat(v.get("total_1h")).isEqualTo(6L);
    assertThat(v.get("mean_1h")).isEqualTo(6.0);
  }

  @Test
  void allNullInputsGiveNullSumButZeroCount() {
    List<Object[]> events = List.<Object[]>of(event("2001-01-01T10:00:00Z", null, "ORD"));
    Map<String, Object> v = g(events, "2001-01-01T10:30:00Z");
    assertThat(v.get("rows_1h")).isEqualTo(1L);
    assertThat(v.get("delays_1h")).isEqualTo(0L);
    assertThat(v.get("total_1h")).isNull();
    assertThat(v.get("mean_1h")).isNull();
    assertThat(v.get("worst_1h")).isNull();
  }

  @Test
  void emptyWindowIsNullExceptCounts() {
    List<Object[]> events = List.of(
        event("2001-01-01T08:00:00Z", 3L, "ORD"),  // too old for 1h
        event("2001-01-01T10:00:00Z", 3L, "JFK")); // another key
    Map<String, Object> v = g(events, "2001-01-01T10:30:00Z");
    assertThat(v.get("rows_1h")).isEqualTo(0L);
    assertThat(v.get("delays_1h")).isEqualTo(0L);
    assertThat(v.get("total_1h")).isNull();
    assertThat(v.get("mean_1h")).isNull();
    assertThat(v.get("worst_1h")).isNull();
    assertThat(v.get("rows_lifetime")).isEqualTo(1L);
    assertThat(ORACLE.groupFeatures("g", List.of(), ORD, at("2001-01-01T10:30:00Z")).get("rows_lifetime")).isEqualTo(0L);
  }

  @Test
  void lifetimeWindowsReachTheBeginningOfTime() {
    List<Object[]> events = List.of(
        event("1970-01-01T00:00:00Z", 1L, "ORD"),
        event("1960-06-01T00:00:00Z", 1L, "ORD"), // before the epoch: negative microseconds
        event("2001-01-01T10:29:59Z", 1L, "ORD"),
        event("2001-01-01T10:30:00Z", 1L, "ORD")); // at t: out
    assertThat(g(events, "2001-01-01T10:30:00Z").get("rows_lifetime")).isEqualTo(3L);
  }

  @Test
  void lateEventsCountLikeAnyOtherAndOrderDoesNotMatter() {
    List<Object[]> events = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      events.add(event("2001-01-01T10:" + String.format("%02d", i) + ":00Z", (long) i, "ORD"));
    }
    Map<String, Object> inOrder = g(events, "2001-01-01T10:50:00Z");
    Collections.shuffle(events, new Random(7));
    Map<String, Object> shuffled = g(events, "2001-01-01T10:50:00Z");
    assertThat(shuffled).isEqualTo(inOrder);
    assertThat(inOrder.get("total_1h")).isEqualTo(49L * 50 / 2);
    assertThat(inOrder.get("latest_1d")).isEqualTo(49L);
  }

  @Test
  void filterAndKeyNullsExcludeTheEvent() {
    List<Object[]> events = List.of(
        event("2001-01-01T10:00:00Z", 5L, "ORD"),
        event("2001-01-01T10:01:00Z", -5L, "ORD"),  // filter false
        event("2001-01-01T10:02:00Z", null, "ORD"), // filter NULL
        event("2001-01-01T10:03:00Z", 5L, null));   // no key
    assertThat(ORACLE.groupFeatures("positive", events, ORD, at("2001-01-01T11:00:00Z")).get("rows_1d")).isEqualTo(1L);
    assertThat(g(events, "2001-01-01T11:00:00Z").get("rows_1h")).isEqualTo(3L);
  }

  @Test
  void derivedFeaturesAndTrainingRowsNeverSeeTheirOwnEvent() {
    List<Object[]> events = List.of(
        event("2001-01-01T10:00:00Z", 20L, "ORD"),
        event("2001-01-01T10:10:00Z", -3L, "ORD"),
        event("2001-01-01T10:20:00Z", 30L, "ORD"));
    List<Oracle.TrainingRow> rows = ORACLE.trainingSet("ts", Map.of("flights", events), events);
    assertThat(rows).hasSize(3);
    // The first flight sees nothing: its own event is at t, excluded.
    assertThat(rows.get(0).features()).containsEntry("g.rows_1h", 0L).containsEntry("g.total_1h", null);
    assertThat(rows.get(0).features().get("share_positive")).isNull(); // 0 / 0 -> NULL
    assertThat(rows.get(0).label()).isEqualTo(true);
    assertThat(rows.get(1).features()).containsEntry("g.rows_1h", 1L).containsEntry("g.total_1h", 20L);
    assertThat(rows.get(1).label()).isEqualTo(false);
    assertThat(rows.get(2).features()).containsEntry("g.rows_1h", 2L).containsEntry("g.total_1h", 17L)
        .containsEntry("positive.rows_1d", 1L).containsEntry("share_positive", 0.5);
  }
}
