package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.RejectedRecordException;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Parquet reader of the replay on its own: order, types, where a restored reader resumes, mistakes. */
class ParquetReplayTest {
  static final CompiledSource SOURCE = FlightsSample.plan().source("flights").orElseThrow();

  static void write(String select, Path file) throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:"); Statement s = c.createStatement()) {
      s.execute("SET TimeZone = 'UTC'");
      s.execute("COPY (" + select + ") TO '" + file + "' (FORMAT parquet)");
    }
  }

  @Test
  void rowsComeInEventTimeOrderWithTiesInFileOrderAndResumeAtAnyIndex(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("f.parquet");
    // Timestamps with a zone, text numbers, an int column: every row converts to the source's types.
    write("SELECT * FROM (VALUES"
        + " (TIMESTAMPTZ '2001-01-01 12:00:00+02', '7', 100, 'B', 'X'),"
        + " (TIMESTAMPTZ '2001-01-01 09:00:00+00', '5', 100, 'A', 'X'),"
        + " (TIMESTAMPTZ '2001-01-01 10:00:00+00', '6', 100, 'T1', 'X'),"
        + " (TIMESTAMPTZ '2001-01-01 10:00:00+00', '8', 100, 'T2', 'X'),"
        + " (TIMESTAMPTZ '2001-01-01 08:30:00+00', 'soon', 100, 'C', 'X'))"
        + " t(date, delay, distance, origin, destination)", file);
    ParquetReplay.Checked checked = ParquetReplay.check(file, SOURCE.schema(), SOURCE.timestamp(), 0);
    assertThat(checked.rows()).isEqualTo(5);
    ParquetReplay replay = checked.replay();
    replay.open(null);
    try {
      List<String> origins = new ArrayList<>();
      for (long i = 0; i < 5; i++) {
        Parsed p = replay.map(i);
        origins.add(p.isOk() ? (String) p.row()[3] : "malformed: " + p.error());
      }
      // B is at 10:00Z too, and first in the file among the three at 10:00Z.
      assertThat(origins).containsExactly("malformed: malformed record: column 'delay': expected bigint, got 'soon'", "A", "B", "T1", "T2");
      Parsed first = replay.map(1L); // a restored reader starts anywhere
      assertThat(first.row()).containsExactly(Durations.parseInstant("2001-01-01T09:00:00Z"), 5L, 100L, "A", "X");
      assertThat(first.micros()).isEqualTo(Durations.parseInstant("2001-01-01T09:00:00Z"));
      assertThat(first.record()).isEqualTo("f.parquet#1");
      assertThat(replay.map(2L).row()).containsExactly(Durations.parseInstant("2001-01-01T10:00:00Z"), 7L, 100L, "B", "X");
    } finally {
      replay.close();
    }
  }

  @Test
  void valuesThatDoNotFitTheirColumnAreMalformed() throws Exception {
    // Parquet values go through the decoder the batch side uses for Parquet: the same rules.
    EventDecoder d = EventDecoder.of(SOURCE.schema(), SOURCE.timestamp());
    long t = Durations.parseInstant("2001-01-01T00:00:00Z");
    assertThat(d.decodeValues(new Object[] {"2001-01-01T00:00:00Z", 5, 7L, "A", "B"})).containsExactly(t, 5L, 7L, "A", "B");
    assertThat(d.decodeValues(new Object[] {t, new java.math.BigDecimal("5.0"), null, "A", null}))
        .containsExactly(t, 5L, null, "A", null);
    assertThatThrownBy(() -> d.decodeValues(new Object[] {t, 1.5, null, null, null}))
        .isInstanceOf(RejectedRecordException.class).hasMessage("column 'delay': expected bigint, got 1.5");
    assertThatThrownBy(() -> d.decodeValues(new Object[] {t, new java.math.BigDecimal("1.5"), null, null, null}))
        .hasMessage("column 'delay': expected bigint, got 1.5");
    assertThatThrownBy(() -> d.decodeValues(new Object[] {t, null, null, 5L, null}))
        .hasMessage("column 'origin': expected string, got a number (5)");
  }

  @Test
  void aFileWithoutTheEventTimeOrNotParquetIsOneSentence(@TempDir Path dir) throws Exception {
    Path noTime = dir.resolve("no-time.parquet");
    write("SELECT 1 AS delay, 'ORD' AS origin", noTime);
    assertThatThrownBy(() -> ParquetReplay.check(noTime, SOURCE.schema(), SOURCE.timestamp(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot replay " + noTime + ": it has no column 'date' (the source's event time; columns: delay, origin)");
    Path text = dir.resolve("text.parquet");
    Files.writeString(text, "date,delay\n");
    assertThatThrownBy(() -> ParquetReplay.check(text, SOURCE.schema(), SOURCE.timestamp(), 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot replay " + text + " as Parquet: ");
  }
}
