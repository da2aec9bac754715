package dev.strata.monitoring.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Metrics;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.report.DriftReport;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The monitor's slicing, segments, rows and report on eight rows small enough to check by hand.
 * Feature g.x, segment column airport; reference 2001-01-01 … 01-02, current 01-03 … 01-04 cut
 * into two one-day periods:
 *
 * <pre>
 *   day 1: x=1 A, x=2 A      day 3: x=3 A, x=4 A
 *   day 2: x=3 B, x=4 C      day 4: x=5 C, x=6 C, x=null A
 * </pre>
 *
 * Expected values by hand: the current's non-null x [3,4,5,6] is the reference [1,2,3,4] shifted
 * by 2, so Wasserstein-1 = 2; the ECDFs differ most at x=2 (0.5 against 0) and x=4 (1 against
 * 0.5), KS D = 0.5; 5 and 6 lie outside [1, 4], out of range 2/4 = 0.5; one null of five, null
 * rate change 0.2. Day 3 alone, [3,4]: D = 0.5 (at x=2), W1 = mean difference 3.5 − 2.5 = 1 (it
 * lies wholly to the right). Day 4 alone, [5,6]: D = 1, W1 = 5.5 − 2.5 = 3, null rate 1/3.
 */
class MonitorDriftTest {
  static final LocalDate D1 = LocalDate.parse("2001-01-01");
  static final DayRange REFERENCE = DayRange.of(D1, D1.plusDays(1));
  static final DayRange CURRENT = DayRange.of(D1.plusDays(2), D1.plusDays(3));

  static DayColumns columns() {
    DayColumns cols = new DayColumns(List.of(FeatureColumn.numeric("g.x")), List.of("airport"));
    add(cols, 0, 1, "A");
    add(cols, 0, 2, "A");
    add(cols, 1, 3, "B");
    add(cols, 1, 4, "C");
    add(cols, 2, 3, "A");
    add(cols, 2, 4, "A");
    add(cols, 3, 5, "C");
    add(cols, 3, 6, "C");
    add(cols, 3, null, "A");
    return cols;
  }

  private static void add(DayColumns cols, int day, Integer x, String airport) {
    cols.add(D1.plusDays(day).toEpochDay(), new Object[] {x, airport});
  }

  static MonitorDrift drift() {
    return new MonitorDrift(REFERENCE, CURRENT, CURRENT.periods(1), Thresholds.defaults());
  }

  @Test
  void currentAndEachPeriodAgainstTheReference() {
    DayColumns cols = columns();
    assertThat(cols.count(REFERENCE)).isEqualTo(4);
    assertThat(cols.count(CURRENT)).isEqualTo(5);
    assertThat(cols.values()).isEqualTo(9 * 2);

    MonitorDrift drift = drift();
    drift.addExact(cols);
    FeatureDrift cur = drift.currentDrift().get(0);
    assertThat(cur.feature()).isEqualTo("g.x");
    assertThat(cur.metric(Metrics.KS)).isCloseTo(0.5, within(1e-12));
    assertThat(cur.metric(Metrics.WASSERSTEIN)).isCloseTo(2.0, within(1e-12));
    assertThat(cur.metric(Metrics.OUT_OF_RANGE)).isCloseTo(0.5, within(1e-12));
    assertThat(cur.metric(Metrics.REFERENCE_NULL_RATE)).isEqualTo(0.0);
    assertThat(cur.metric(Metrics.NULL_RATE_CHANGE)).isCloseTo(0.2, within(1e-12));

    List<List<FeatureDrift>> periods = drift.perPeriod();
    assertThat(periods).hasSize(2);
    FeatureDrift day3 = periods.get(0).get(0);
    assertThat(day3.metric(Metrics.KS)).isCloseTo(0.5, within(1e-12));
    assertThat(day3.metric(Metrics.WASSERSTEIN)).isCloseTo(1.0, within(1e-12));
    assertThat(day3.metric(Metrics.NULL_RATE_CHANGE)).isEqualTo(0.0);
    FeatureDrift day4 = periods.get(1).get(0);
    assertThat(day4.metric(Metrics.KS)).isCloseTo(1.0, within(1e-12));
    assertThat(day4.metric(Metrics.WASSERSTEIN)).isCloseTo(3.0, within(1e-12));
    assertThat(day4.metric(Metrics.CURRENT_NULL_RATE)).isCloseTo(1.0 / 3, within(1e-12));
  }

  @Test
  void segmentsAreTheMostFrequentInTheReferenceAndNeedCurrentRows() {
    // reference counts: A 2, B 1, C 1; the top two are A and B (tie by value); B has no current row
    MonitorDrift two = drift();
    two.addSegments(columns(), 2);
    assertThat(two.currentDrift()).extracting(FeatureDrift::feature).containsExactly("g.x[airport=A]");
    FeatureDrift a = two.currentDrift().get(0);
    // A: reference [1,2], current [3,4,null]
    assertThat(a.metric(Metrics.KS)).isCloseTo(1.0, within(1e-12));
    assertThat(a.metric(Metrics.WASSERSTEIN)).isCloseTo(2.0, within(1e-12));
    assertThat(a.metric(Metrics.CURRENT_NULL_RATE)).isCloseTo(1.0 / 3, within(1e-12));

    MonitorDrift three = drift();
    three.addSegments(columns(), 3);
    assertThat(three.currentDrift()).extracting(FeatureDrift::feature)
        .containsExactly("g.x[airport=A]", "g.x[airport=C]");
    // C: reference [4], current [5,6]
    assertThat(three.currentDrift().get(1).metric(Metrics.WASSERSTEIN)).isCloseTo(1.5, within(1e-12));
    // segments leave the periods alone
    assertThat(three.perPeriod()).allSatisfy(p -> assertThat(p).isEmpty());
  }

  @Test
  void rowsKeepTheSelectedMetricsOfEverySlice() {
    MonitorDrift drift = drift();
    drift.addExact(columns());
    List<DriftRow> rows = drift.rows(MetricSelection.of(List.of("ks")));
    Map<DayRange, Set<String>> bySlice = rows.stream().collect(Collectors.groupingBy(DriftRow::slice,
        Collectors.mapping(DriftRow::metric, Collectors.toSet())));
    Set<String> ks = Set.of(Metrics.KS, Metrics.KS_PVALUE, Metrics.NULL_RATE_CHANGE);
    assertThat(bySlice).containsOnlyKeys(CURRENT, DayRange.day(D1.plusDays(2)), DayRange.day(D1.plusDays(3)));
    assertThat(bySlice.values()).allSatisfy(m -> assertThat(m).isEqualTo(ks));
    assertThat(rows).hasSize(9);
    // the current slice comes first
    assertThat(rows.get(0).slice()).isEqualTo(CURRENT);
    DriftRow d = rows.stream().filter(r -> r.slice().equals(CURRENT) && r.metric().equals(Metrics.KS)).findFirst().orElseThrow();
    assertThat(d.value()).isCloseTo(0.5, within(1e-12));
    assertThat(d.mode()).isEqualTo("exact");

    assertThat(drift.rows(MetricSelection.of(List.of()))).hasSizeGreaterThan(rows.size());
  }

  @Test
  void reportHasTheCurrentSliceAndOnePerPeriod() {
    MonitorDrift drift = drift();
    drift.addExact(columns());
    DriftReport r = drift.report("Monitor m", Instant.parse("2001-02-01T10:11:12.345Z"));
    assertThat(r.reference()).isEqualTo("2001-01-01 \u2026 2001-01-02");
    assertThat(r.current()).isEqualTo("2001-01-03 \u2026 2001-01-04");
    assertThat(r.timeline()).extracting(DriftReport.Slice::label).containsExactly("2001-01-03", "2001-01-04");
    assertThat(r.generatedAt()).isEqualTo("2001-02-01T10:11:12Z");

    MonitorDrift oneDay = new MonitorDrift(REFERENCE, DayRange.day(D1.plusDays(2)), DayRange.day(D1.plusDays(2)).periods(1),
        Thresholds.defaults());
    oneDay.addExact(columns());
    assertThat(oneDay.report("m", Instant.EPOCH).timeline()).isEmpty();
    assertThat(oneDay.rows(MetricSelection.of(null))).allSatisfy(x -> assertThat(x.slice()).isEqualTo(DayRange.day(D1.plusDays(2))));
  }

  @Test
  void sketchesOfTheDaysAgreeWhileTheyHoldEveryValue() {
    List<FeatureColumn> features = List.of(FeatureColumn.numeric("g.x"));
    // two "partitions" of the same rows, merged on the way in
    DailyProfiler p1 = new DailyProfiler(features);
    DailyProfiler p2 = new DailyProfiler(features);
    p1.add(D1.toEpochDay(), new Object[] {1});
    p2.add(D1.toEpochDay(), new Object[] {2});
    p1.add(D1.plusDays(1).toEpochDay(), new Object[] {3});
    p2.add(D1.plusDays(1).toEpochDay(), new Object[] {4});
    p1.add(D1.plusDays(2).toEpochDay(), new Object[] {3});
    p1.add(D1.plusDays(2).toEpochDay(), new Object[] {4});
    p2.add(D1.plusDays(3).toEpochDay(), new Object[] {5});
    p2.add(D1.plusDays(3).toEpochDay(), new Object[] {6});
    p2.add(D1.plusDays(3).toEpochDay(), new Object[] {null});
    DayProfiles profiles = new DayProfiles(features);
    p1.build().forEach(profiles::add);
    p2.build().forEach(profiles::add);
    assertThat(profiles.count(REFERENCE)).isEqualTo(4);
    assertThat(profiles.count(CURRENT)).isEqualTo(5);
    assertThat(profiles.count(DayRange.day(D1.plusDays(9)))).isZero();
    assertThat(profiles.dayProfiles()).extracting(DayProfile::day)
        .containsExactly(D1, D1.plusDays(1), D1.plusDays(2), D1.plusDays(3));

    MonitorDrift drift = drift();
    drift.addSketched(profiles);
    FeatureDrift cur = drift.currentDrift().get(0);
    assertThat(cur.errorBound()).isZero();
    assertThat(cur.metric(Metrics.KS)).isCloseTo(0.5, within(1e-12));
    assertThat(cur.metric(Metrics.NULL_RATE_CHANGE)).isCloseTo(0.2, within(1e-12));
    assertThat(drift.perPeriod().get(1).get(0).metric(Metrics.KS)).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void dayProfilesOfTheValuesHeld() {
    List<DayProfile> days = columns().dayProfiles();
    assertThat(days).extracting(DayProfile::day).containsExactly(D1, D1.plusDays(1), D1.plusDays(2), D1.plusDays(3));
    DayProfile day4 = days.get(3);
    assertThat(day4.feature()).isEqualTo("g.x");
    assertThat(day4.profile().count()).isEqualTo(3);
    assertThat(day4.profile().nulls()).isEqualTo(1);
    assertThat(day4.profile().min()).isEqualTo(5.0);
    assertThat(day4.profile().max()).isEqualTo(6.0);
  }

  /**
   * A categorical feature, held as dictionary codes: bins, shares and null rates by hand, whole
   * and per segment. Reference (days 1–2) a, b, null, a; current (days 3–4) a, c, c, null: bins
   * a, b, (unseen); reference shares 2/3, 1/3, 0; current 1/3, 0, 2/3; a null in each of four.
   * Segment A (reference a, a; current a, c): current shares 1/2, 0, 1/2.
   */
  @Test
  void categoricalFeatureFromDictionaryCodes() {
    DayColumns cols = new DayColumns(List.of(FeatureColumn.categorical("g.kind")), List.of("airport"));
    String[][] rows = {{"a", "A"}, {"b", "B"}, {null, "B"}, {"a", "A"}, {"a", "A"}, {"c", "A"}, {"c", "C"}, {null, null}};
    for (int i = 0; i < rows.length; i++) {
      cols.add(D1.plusDays(i / 2).toEpochDay(), new Object[] {rows[i][0], rows[i][1]});
    }
    dev.strata.monitoring.drift.ExactDrift exact = dev.strata.monitoring.drift.ExactDrift.withDefaults();
    FeatureDrift all = cols.drift(exact, "g.kind", 0, REFERENCE, CURRENT);
    assertThat(all.bins()).containsExactly("a", "b", FeatureDrift.UNSEEN);
    assertThat(all.referenceShares()).containsExactly(2.0 / 3, 1.0 / 3, 0.0);
    assertThat(all.currentShares()).containsExactly(1.0 / 3, 0.0, 2.0 / 3);
    assertThat(all.metric(Metrics.REFERENCE_NULL_RATE)).isEqualTo(0.25);
    assertThat(all.metric(Metrics.CURRENT_NULL_RATE)).isEqualTo(0.25);
    assertThat(all.metric(Metrics.UNSEEN_SHARE)).isEqualTo(2.0 / 3);
    FeatureDrift a = cols.drift(exact, "g.kind [airport=A]", 0, REFERENCE, CURRENT, 0, "A");
    assertThat(a.bins()).containsExactly("a", FeatureDrift.UNSEEN);
    assertThat(a.currentShares()).containsExactly(0.5, 0.5);
    assertThat(cols.topSegments(0, REFERENCE, 5)).containsExactly("A", "B");
    assertThat(cols.topSegments(0, CURRENT, 5)).containsExactly("A", "C");
  }
}
