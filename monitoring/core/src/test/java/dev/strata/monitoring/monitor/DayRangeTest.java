package dev.strata.monitoring.monitor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.time.Durations;
import dev.strata.monitoring.drift.Metrics;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.junit.jupiter.api.Test;

class DayRangeTest {
  static LocalDate d(String s) {
    return LocalDate.parse(s);
  }

  static long micros(String instant) {
    return Instant.parse(instant).toEpochMilli() * 1000;
  }

  @Test
  void periodsCutFromTheStartTheLastShorter() {
    assertThat(DayRange.of(d("2001-01-01"), d("2001-01-05")).periods(2)).containsExactly(
        DayRange.of(d("2001-01-01"), d("2001-01-02")), DayRange.of(d("2001-01-03"), d("2001-01-04")),
        DayRange.day(d("2001-01-05")));
    assertThat(DayRange.day(d("2001-01-01")).periods(7)).containsExactly(DayRange.day(d("2001-01-01")));
    assertThatThrownBy(() -> DayRange.day(d("2001-01-01")).periods(0)).hasMessageStartingWith("Cannot cut");
    assertThatThrownBy(() -> DayRange.of(d("2001-01-02"), d("2001-01-01"))).hasMessageStartingWith("Cannot make");
  }

  @Test
  void wholeDaysAreThoseWhoseStartLiesInside() {
    // [01-01 12:00, 01-04 00:00): the days starting inside are 01-02 and 01-03
    assertThat(DayRange.wholeDays(micros("2001-01-01T12:00:00Z"), micros("2001-01-04T00:00:00Z")))
        .contains(DayRange.of(d("2001-01-02"), d("2001-01-03")));
    assertThat(DayRange.wholeDays(micros("2001-01-01T00:00:00Z"), micros("2001-01-01T00:00:01Z")))
        .contains(DayRange.day(d("2001-01-01")));
    assertThat(DayRange.wholeDays(micros("2001-01-01T00:00:01Z"), micros("2001-01-02T00:00:00Z"))).isEmpty();
  }

  @Test
  void periodDaysRoundUp() {
    assertThat(DayRange.periodDays(null)).isEqualTo(1);
    assertThat(DayRange.periodDays(Durations.DAY / 24)).isEqualTo(1);
    assertThat(DayRange.periodDays(Durations.DAY)).isEqualTo(1);
    assertThat(DayRange.periodDays(Durations.DAY * 3 / 2)).isEqualTo(2);
    assertThat(DayRange.periodDays(Durations.DAY * 7)).isEqualTo(7);
  }

  @Test
  void labels() {
    assertThat(DayRange.day(d("2001-03-01")).label()).isEqualTo("2001-03-01");
    assertThat(DayRange.of(d("2001-03-01"), d("2001-03-31")).label()).isEqualTo("2001-03-01 \u2026 2001-03-31");
    assertThat(DayRange.of(d("2001-03-01"), d("2001-03-31")).contains(d("2001-03-31").toEpochDay())).isTrue();
    assertThat(DayRange.of(d("2001-03-01"), d("2001-03-31")).contains(d("2001-04-01"))).isFalse();
  }

  @Test
  void metricSelectionKeepsFamiliesAndTheNullRateChange() {
    MetricSelection all = MetricSelection.of(null);
    assertThat(all.keeps(Metrics.PSI)).isTrue();
    MetricSelection ks = MetricSelection.of(List.of("ks_statistic"));
    assertThat(ks.keeps(Metrics.KS)).isTrue();
    assertThat(ks.keeps(Metrics.KS_PVALUE)).isTrue();
    assertThat(ks.keeps(Metrics.NULL_RATE_CHANGE)).isTrue();
    assertThat(ks.keeps(Metrics.PSI)).isFalse();
    assertThat(ks.keeps(Metrics.REFERENCE_NULL_RATE)).isFalse();
    MetricSelection nulls = MetricSelection.of(List.of("NULL_RATE", "out_of_range"));
    assertThat(nulls.keeps(Metrics.REFERENCE_NULL_RATE)).isTrue();
    assertThat(nulls.keeps(Metrics.CURRENT_NULL_RATE)).isTrue();
    assertThat(nulls.keeps(Metrics.UNSEEN_SHARE)).isTrue();
    assertThat(nulls.keeps(Metrics.WASSERSTEIN)).isFalse();
  }
}
