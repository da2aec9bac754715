package dev.strata.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.monitoring.testing.FlightsColumns;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * January vs March 2001 of the bundled 20k-row flights sample, against numpy/scipy values
 * (flights_expected.json, from make_vectors.py run on the same file).
 */
class FlightsDriftTest {
  static final Path FLIGHTS = FlightsColumns.file();

  @Test
  void januaryVersusMarchMatchesScipy() throws Exception {
    assertThat(Files.exists(FLIGHTS)).as(FLIGHTS.toAbsolutePath().toString()).isTrue();
    JsonNode expected = DriftVectorsTest.read("/drift/flights_expected.json");
    FlightsColumns all = FlightsColumns.read();
    FlightsColumns jan = all.filter("date", d -> d.startsWith("2001-01"));
    FlightsColumns mar = all.filter("date", d -> d.startsWith("2001-03"));
    assertThat(jan.rows()).isEqualTo(expected.get("reference_rows").asInt());
    assertThat(mar.rows()).isEqualTo(expected.get("current_rows").asInt());

    ExactDrift drift = ExactDrift.withDefaults();
    for (String col : new String[] {"delay", "distance"}) {
      FeatureDrift d = drift.numeric(col, jan.doubles(col), mar.doubles(col));
      DriftVectorsTest.assertNumeric(d, expected.get("columns").get(col).get("expected"));
    }
    for (String col : new String[] {"origin", "destination"}) {
      FeatureDrift d = drift.categorical(col, jan.strings(col), mar.strings(col));
      DriftVectorsTest.assertCategorical(d, expected.get("columns").get(col).get("expected"));
    }
  }
}
