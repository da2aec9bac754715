package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The declared schema is enforced on every format; rows that do not fit are counted and kept with a reason. */
class SourceReaderTest {
  static final Schema FLIGHTS = Schema.builder().add("date", DataType.TIMESTAMP).add("delay", DataType.LONG)
      .add("distance", DataType.LONG).add("origin", DataType.STRING).add("destination", DataType.STRING).build();

  @TempDir
  Path dir;

  private SourceReader reader() {
    return new SourceReader(SparkTestSession.get(), dir, dir.resolve("rejects").toString(), "strata");
  }

  @Test
  void badRowsAreCountedAndWrittenWithTheirReason() throws Exception {
    Files.writeString(dir.resolve("f.csv"), String.join("\n",
        "date,delay,distance,origin,destination",
        "2001-01-01 00:47:00,66,1750,DTW,LAS",
        "yesterday,1,2,A,B",
        "2001-01-01 01:00:00,late,2,A,B",
        ",3,4,A,B",
        "2001-01-01 02:00:00,,100,,C") + "\n");
    SourceReader.Result r = reader().readPath("f", FLIGHTS, "date", "f.csv", null);
    assertThat(r.rows()).isEqualTo(2);
    assertThat(r.rejected()).isEqualTo(3);
    List<Row> good = r.events().collectAsList();
    assertThat(good).hasSize(2);
    assertThat(good.get(1).isNullAt(1)).isTrue();
    String rejects;
    try (Stream<Path> s = Files.list(Path.of(r.rejectsPath()))) {
      rejects = s.filter(p -> p.toString().endsWith(".json")).map(p -> {
        try {
          return Files.readString(p);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }).collect(Collectors.joining());
    }
    // The reasons are EventDecoder's, word for word those of the stream's dead letters.
    assertThat(rejects).contains("column 'date': expected timestamp, got 'yesterday'")
        .contains("column 'delay': expected bigint, got 'late'")
        .contains("column 'date': no event time (missing or empty)");
  }

  @Test
  void jsonAndParquetReadTheSameEventsAsCsv() throws Exception {
    Path csv = FlightsSample.exampleDir().resolve("data/flights-20k.csv");
    Set<String> fromCsv = rows(reader().readPath("f", FLIGHTS, "date", csv.toString(), null));
    Path json = Path.of("/work/shared/datasets/flights-20k.json");
    if (Files.exists(json)) {
      assertThat(rows(reader().readPath("f", FLIGHTS, "date", json.toString(), null))).isEqualTo(fromCsv);
    }
    SparkTestSession.get().read().option("header", "true").csv(csv.toString())
        .selectExpr("to_timestamp_ntz(date) AS date", "CAST(delay AS INT) AS delay", "CAST(distance AS BIGINT) AS distance",
            "origin", "destination")
        .write().parquet(dir.resolve("f.parquet").toString());
    assertThat(rows(reader().readPath("f", FLIGHTS, "date", "f.parquet", null))).isEqualTo(fromCsv);
  }

  /**
   * Issue 15 item 2: rows with a wrong number of cells or an unbalanced quote appended to the
   * example's CSV were read silently (phantom keys such as "ORD,LAX", changed counts). They are
   * rejects with their reasons, exactly as the stream dead-letters them; the other rows are the
   * file's events unchanged.
   */
  @Test
  void rowsWithTheWrongNumberOfCellsOrAnUnbalancedQuoteAreRejects() throws Exception {
    Path original = FlightsSample.exampleDir().resolve("data/flights-20k.csv");
    Path file = dir.resolve("flights.csv");
    Files.writeString(file, Files.readString(original)
        + "2001-01-05 10:00:00,5,300,ORD\n"
        + "2001-01-05 10:00:00,5,300,ORD,LAX,JFK\n"
        + "2001-01-05 11:00:00,7,300,\"ORD,LAX\n");
    SourceReader.Result r = reader().readPath("f", FLIGHTS, "date", file.toString(), null);
    assertThat(r.rejected()).isEqualTo(3);
    assertThat(r.rows()).isEqualTo(20_000);
    Set<String> expected = rows(reader().readPath("f", FLIGHTS, "date", original.toString(), null));
    assertThat(new HashSet<>(r.events().collectAsList().stream().map(Row::toString).toList())).isEqualTo(expected);
    assertThat(rejects(r)).contains(
        "\"row\":\"2001-01-05 10:00:00,5,300,ORD\",\"reason\":\"expected 5 cells as in the header, got 4\"",
        "\"row\":\"2001-01-05 10:00:00,5,300,ORD,LAX,JFK\",\"reason\":\"expected 5 cells as in the header, got 6\"",
        "\"row\":\"2001-01-05 11:00:00,7,300,\\\"ORD,LAX\",\"reason\":\"a quoted field is not closed (unbalanced quote)\"");
  }

  /**
   * A file read in ranges of a few hundred bytes (one task each) gives the events and rejects of
   * the file read whole, also when quoted line breaks and a quote inside an unquoted field
   * mislead the guess of record boundaries (those files are read again whole).
   */
  @Test
  void rangesOfALargeFileReadLikeTheWholeFile() throws Exception {
    StringBuilder text = new StringBuilder("\uFEFFdate,delay,distance,origin,destination\r\n");
    for (int i = 0; i < 400; i++) {
      String time = "2001-01-0" + (1 + i % 9) + " 10:" + String.format("%02d", i % 60) + ":00";
      switch (i % 6) {
        case 0 -> text.append(time).append(',').append(i).append(",1,\"O'Hare, \"\"Chicago\"\"\",\"two\r\nlines\"\r\n");
        case 1 -> text.append(time).append(',').append(i).append(",1,K\"x,Z\n"); // a quote inside an unquoted field
        case 2 -> text.append(time).append(',').append(i).append(",1,A\n");
        case 3 -> text.append(time).append(",late,1,A,B\n");
        default -> text.append(time).append(',').append(i).append(",,\"\",\n");
      }
    }
    Files.writeString(dir.resolve("big.csv"), text);
    SourceReader whole = reader();
    SourceReader ranged = reader().rangeBytes(300);
    assertThat(dev.strata.dsl.io.EventFiles.ranges(dir.resolve("big.csv"), dev.strata.dsl.io.EventFiles.Format.CSV, 300).size())
        .isGreaterThan(10);
    SourceReader.Result a = whole.readPath("w", FLIGHTS, "date", "big.csv", null);
    String rejectsWhole = rejects(a);
    SourceReader.Result b = ranged.readPath("w", FLIGHTS, "date", "big.csv", null);
    assertThat(b.rows()).isEqualTo(a.rows()).isEqualTo(400 - 67 - 67);
    assertThat(b.rejected()).isEqualTo(a.rejected()).isEqualTo(67 + 67);
    assertThat(b.events().collectAsList().stream().map(Row::toString).sorted().toList())
        .isEqualTo(a.events().collectAsList().stream().map(Row::toString).sorted().toList());
    assertThat(sortedLines(rejects(b))).isEqualTo(sortedLines(rejectsWhole));
  }

  private static List<String> sortedLines(String s) {
    return s.lines().sorted().toList();
  }

  private static String rejects(SourceReader.Result r) throws Exception {
    try (Stream<Path> s = Files.list(Path.of(r.rejectsPath()))) {
      return s.filter(p -> p.toString().endsWith(".json")).map(p -> {
        try {
          return Files.readString(p);
        } catch (Exception e) {
          throw new RuntimeException(e);
        }
      }).collect(Collectors.joining());
    }
  }

  @Test
  void missingInputOrColumnIsOneSentence() {
    assertThatThrownBy(() -> reader().readPath("f", FLIGHTS, "date", "nope.csv", null))
        .isInstanceOf(JobException.class).hasMessageContaining("does not exist");
  }

  private static Set<String> rows(SourceReader.Result r) {
    assertThat(r.rejected()).isZero();
    return new HashSet<>(r.events().collectAsList().stream().map(Row::toString).toList());
  }
}
