package dev.strata.monitoring.report;

import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.testing.FlightsColumns;
import java.io.IOException;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;

/** January 2001 as reference; weekly slices after it and March as the current slice. */
final class FlightsReportFixture {
  static final Path FLIGHTS = FlightsColumns.file();

  private FlightsReportFixture() {}

  static DriftReport report() throws IOException {
    FlightsColumns all = FlightsColumns.read();
    FlightsColumns jan = all.filter("date", d -> d.startsWith("2001-01"));
    FlightsColumns mar = all.filter("date", d -> d.startsWith("2001-03"));
    List<DriftReport.Slice> weeks = new ArrayList<>();
    LocalDate start = LocalDate.of(2001, 2, 1);
    while (start.isBefore(LocalDate.of(2001, 4, 1))) {
      String from = start.toString();
      String to = start.plusDays(7).toString();
      FlightsColumns week = all.filter("date", d -> d.compareTo(from) >= 0 && d.compareTo(to) < 0);
      if (week.rows() > 0) {
        weeks.add(new DriftReport.Slice(from, drift(jan, week)));
      }
      start = start.plusDays(7);
    }
    return new DriftReport("Flights: March vs January 2001", "2001-01 (" + jan.rows() + " flights)",
        "2001-03 (" + mar.rows() + " flights)", drift(jan, mar), weeks, Thresholds.defaults(),
        "2026-11-26T00:00:00Z");
  }

  private static List<FeatureDrift> drift(FlightsColumns ref, FlightsColumns cur) {
    ExactDrift d = ExactDrift.withDefaults();
    return List.of(
        d.numeric("delay", ref.doubles("delay"), cur.doubles("delay")),
        d.numeric("distance", ref.doubles("distance"), cur.doubles("distance")),
        d.categorical("origin", ref.strings("origin"), cur.strings("origin")),
        d.categorical("destination", ref.strings("destination"), cur.strings("destination")));
  }
}
