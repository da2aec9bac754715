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
    assertThat(rejects).contains("column date: expected timestamp, got 'yesterday'")
        .contains("column delay: expected bigint, got 'late'")
        .contains("column date: no event time");
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
