package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.io.EventCsv;
import dev.strata.dsl.testing.Python;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A training set written as CSV is in Strata's dialect: Strata's reader and Python's csv module
 * read back exactly the keys that went in (issue 14: Spark's writer escaped quotes with a
 * backslash, so {@code O'Hare, "Chicago"} came back as {@code "O'Hare, \"Chicago\""} in Python).
 */
class TrainingSetWriterTest {
  @TempDir
  Path dir;

  static final List<String> KEYS = List.of("O'Hare, \"Chicago\"", "Zürich", "東京\n(line two)", " padded ", "", "a\\b",
      "\uFEFFbom", "=1+2");

  @Test
  void csvReadsBackTheExactKeys() throws Exception {
    StructType schema = new StructType()
        .add("station", DataTypes.StringType, true)
        .add("time", DataTypes.TimestampType, true)
        .add("value", DataTypes.DoubleType, true)
        .add("n", DataTypes.LongType, true)
        .add("last", DataTypes.createArrayType(DataTypes.LongType, true), true);
    List<Row> rows = new ArrayList<>();
    Instant t = Instant.parse("2001-01-01T00:47:00.5Z");
    for (int i = 0; i < KEYS.size(); i++) {
      rows.add(RowFactory.create(KEYS.get(i), t, i == 0 ? Double.NaN : i / 8.0, i == 1 ? null : (long) i,
          scala.jdk.javaapi.CollectionConverters.asScala(Arrays.asList(1L, null)).toList()));
    }
    rows.add(RowFactory.create(null, null, null, null, null));
    Dataset<Row> data = SparkTestSession.get().createDataFrame(rows, schema).repartition(3);
    List<Row> inOrder = data.collectAsList();
    Path out = dir.resolve("ts.csv");
    TrainingSetWriter.write(null, data, out.toString(), "time");

    List<List<String>> expected = new ArrayList<>();
    expected.add(List.of("station", "time", "value", "n", "last"));
    for (Row r : inOrder) {
      expected.add(Arrays.asList(r.getString(0), r.isNullAt(1) ? null : "2001-01-01T00:47:00.500Z",
          r.isNullAt(2) ? null : Double.isNaN(r.getDouble(2)) ? "NaN" : Double.toString(r.getDouble(2)),
          r.isNullAt(3) ? null : Long.toString(r.getLong(3)), r.isNullAt(4) ? null : "[1,null]"));
    }
    List<List<String>> read = new ArrayList<>();
    try (EventCsv.RecordReader r = EventCsv.reader(new StringReader(Files.readString(out, StandardCharsets.UTF_8)))) {
      for (EventCsv.Record rec = r.next(); rec != null; rec = r.next()) {
        read.add(rec.cells());
      }
    }
    assertThat(read).isEqualTo(expected);
    if (Python.available()) {
      List<List<String>> python = Python.readCsv(out);
      assertThat(python.stream().skip(1).map(r -> r.get(0)).toList())
          .isEqualTo(inOrder.stream().map(r -> r.isNullAt(0) ? "" : r.getString(0)).toList());
      assertThat(python.stream().skip(1).map(r -> r.get(0)).toList()).containsAll(KEYS);
    }
  }
}
