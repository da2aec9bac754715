package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;

/** Records → rows: the values the language expects, and one-sentence reasons for everything else. */
class FormatsTest {
  static final CompiledSource FLIGHTS = FlightsSample.plan().source("flights").orElseThrow();
  static final long T = Durations.parseInstant("2001-01-03T10:00:00Z");

  @Test
  void jsonRecordsBecomeRowsOfTheSchema() throws Exception {
    RowFormat json = new JsonRowFormat(FLIGHTS.schema(), "date");
    assertThat(json.parse("{\"date\":\"2001-01-03 10:00:00\",\"delay\":-3,\"distance\":\"700\",\"origin\":\"ORD\",\"extra\":[1]}"))
        .containsExactly(T, -3L, 700L, "ORD", null);
    assertThat(json.parse("{\"date\":" + T + ",\"delay\":null}")).containsExactly(T, null, null, null, null);
  }

  @Test
  void malformedJsonSaysWhy() {
    RowFormat json = new JsonRowFormat(FLIGHTS.schema(), "date");
    assertThatThrownBy(() -> json.parse("{oops")).isInstanceOf(MalformedRecordException.class).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> json.parse("[1]")).hasMessage("expected a JSON object, got an array");
    assertThatThrownBy(() -> json.parse("{\"date\":1,\"delay\":\"soon\"}")).hasMessage("column 'delay': expected bigint, got 'soon'");
    assertThatThrownBy(() -> json.parse("{\"date\":1,\"delay\":1.5}")).hasMessage("column 'delay': expected bigint, got 1.5");
    assertThatThrownBy(() -> json.parse("{\"date\":\"yesterday\"}")).hasMessage("column 'date': expected timestamp, got 'yesterday'");
    assertThatThrownBy(() -> json.parse("{\"date\":1,\"origin\":{\"a\":1}}")).hasMessage("column 'origin': expected string, got a JSON object");
    assertThatThrownBy(() -> json.parse("{\"date\":1,\"date\":2}")).hasMessageStartingWith("not JSON: Duplicate field 'date'");
    assertThatThrownBy(() -> json.parse("{\"date\":1} {}")).hasMessageStartingWith("not JSON: Trailing token");
  }

  @Test
  void csvFindsColumnsByHeaderAndHonoursQuotes() throws Exception {
    RowFormat csv = new CsvRowFormat(FLIGHTS.schema(), "date", List.of("origin", "date", "delay", "note", "destination", "distance"));
    assertThat(csv.parse("\"O\"\"RD\",2001-01-03T10:00:00Z,,\"a, b\nc\",JFK,")).containsExactly(T, null, null, "O\"RD", "JFK");
    assertThat(csv.parse("\"\",2001-01-03T10:00:00Z,,,,")).containsExactly(T, null, null, "", null);
    assertThatThrownBy(() -> csv.parse("ORD,2001-01-03")).hasMessage("expected 6 cells as in the header, got 2");
    assertThatThrownBy(() -> csv.parse("ORD,2001-01-03,\"1")).hasMessage("a quoted field is not closed (unbalanced quote)");
    assertThatThrownBy(() -> new CsvRowFormat(FLIGHTS.schema(), "date", List.of("origin", "date")))
        .hasMessage("column 'delay' is missing from the header (it has origin, date)");
  }

  @Test
  void recordsWithoutEventTimeAreMalformed() {
    RecordParser parser = new RecordParser(new JsonRowFormat(FLIGHTS.schema(), "date"), 0, "date");
    Parsed p = parser.parse("{\"delay\":5}");
    assertThat(p.isOk()).isFalse();
    assertThat(p.error()).isEqualTo("malformed record: column 'date': no event time (missing or empty)");
    assertThat(parser.parse("{\"date\":\"2001-01-03T10:00:00Z\"}").micros()).isEqualTo(T);
  }

  @Test
  void unsupportedFormatsAreRefusedInOneSentence() {
    assertThatThrownBy(() -> Formats.of(FLIGHTS, "parquet", null, null))
        .hasMessage("Cannot read source 'flights': stream format 'parquet' is not supported yet (use json, avro or csv)");
    assertThatThrownBy(() -> Formats.of(FLIGHTS, "avro", null, null))
        .hasMessage("Cannot read source 'flights' as Avro: its stream has no avro_schema (an .avsc file)");
  }

  @Test
  void avroRecordsPlainOrSingleObjectBecomeRowsOfTheSchema() throws Exception {
    AvroRecords avro = new AvroRecords(AvroRecords.FLIGHTS_AVSC);
    RowFormat format = new AvroRowFormat(FLIGHTS.schema(), "flights", AvroRecords.FLIGHTS_AVSC, "flights.avsc");
    GenericRecord r = avro.flight(FLIGHTS.schema(), new Object[] {T, -3L, null, "ORD", "JFK"});
    assertThat(format.parse(avro.binary(r))).containsExactly(T, -3L, null, "ORD", "JFK");
    assertThat(format.parse(avro.singleObject(r))).containsExactly(T, -3L, null, "ORD", "JFK");
    // Serialized to the task managers: the schema is parsed again where the format runs.
    RowFormat copy = InstantiationUtil.clone(format);
    assertThat(copy.parse(avro.singleObject(r))).containsExactly(T, -3L, null, "ORD", "JFK");
  }

  @Test
  void avroTimestampsAreIsoTextMicrosOrLogicalTypes() throws Exception {
    for (String type : List.of("\"string\"", "\"long\"", "{\"type\": \"long\", \"logicalType\": \"timestamp-micros\"}",
        "{\"type\": \"long\", \"logicalType\": \"timestamp-nanos\"}", "{\"type\": \"long\", \"logicalType\": \"local-timestamp-millis\"}")) {
      String avsc = "{\"type\": \"record\", \"name\": \"E\", \"fields\": [{\"name\": \"date\", \"type\": " + type + "},"
          + " {\"name\": \"origin\", \"type\": {\"type\": \"enum\", \"name\": \"Airport\", \"symbols\": [\"ORD\", \"JFK\"]}}]}";
      AvroRecords avro = new AvroRecords(avsc);
      GenericRecord r = new GenericData.Record(avro.schema());
      r.put("date", type.contains("string") ? "2001-01-03T10:00:00Z" : type.contains("nanos") ? T * 1000 : type.contains("millis") ? T / 1000 : T);
      r.put("origin", new GenericData.EnumSymbol(avro.schema().getField("origin").schema(), "ORD"));
      RowFormat format = new AvroRowFormat(FLIGHTS.schema(), "flights", avsc, "e.avsc");
      assertThat(format.parse(avro.binary(r))).as(type).containsExactly(T, null, null, "ORD", null);
    }
  }

  @Test
  void malformedAvroSaysWhy() {
    AvroRecords avro = new AvroRecords(AvroRecords.FLIGHTS_AVSC);
    RowFormat format = new AvroRowFormat(FLIGHTS.schema(), "flights", AvroRecords.FLIGHTS_AVSC, "flights.avsc");
    byte[] good = avro.binary(avro.flight(FLIGHTS.schema(), new Object[] {T, 1L, 2L, "ORD", "JFK"}));
    assertThatThrownBy(() -> format.parse(Arrays.copyOf(good, good.length - 1)))
        .hasMessage("not an Avro record of the schema: the record ends early");
    assertThatThrownBy(() -> format.parse(Arrays.copyOf(good, good.length + 1)))
        .hasMessage("not an Avro record of the schema: bytes left over after the record");
    assertThatThrownBy(() -> format.parse(new byte[0])).hasMessage("not an Avro record of the schema: the record ends early");
    byte[] other = new AvroRecords(AvroRecords.FLIGHTS_AVSC.replace("Flight", "Other"))
        .singleObject(new AvroRecords(AvroRecords.FLIGHTS_AVSC.replace("Flight", "Other")).flight(FLIGHTS.schema(), new Object[] {T, 1L, 2L, "ORD", "JFK"}));
    assertThatThrownBy(() -> format.parse(other)).hasMessageStartingWith("a single-object encoded Avro record of another schema (fingerprint ");
    // A string that claims 2 GB: refused before anything is allocated (the decoder checks the bytes left).
    byte[] huge = {0, 0, 0, (byte) 0x80, (byte) 0xd0, (byte) 0xac, (byte) 0xf3, 0x0e, 'O', 'R', 'D'};
    assertThatThrownBy(() -> format.parse(huge)).hasMessage("not an Avro record of the schema: the record ends early");
    assertThat(format.text(new byte[] {1, 2})).isEqualTo("base64:AQI=");
  }

  @Test
  void avroSchemasThatDoNotFitTheSourceAreOneSentence() {
    assertThatThrownBy(() -> new AvroRowFormat(FLIGHTS.schema(), "flights", "{\"type\": \"record\"", "f.avsc"))
        .hasMessageStartingWith("Cannot read source 'flights' as Avro with f.avsc: not an Avro schema (");
    assertThatThrownBy(() -> new AvroRowFormat(FLIGHTS.schema(), "flights", AvroRecords.FLIGHTS_AVSC.replace("\"type\": \"string\"}", "\"type\": \"int\"}"), "f.avsc"))
        .hasMessage("Cannot read source 'flights' as Avro with f.avsc: field 'origin' is Avro int, which cannot hold the column's type string");
    assertThatThrownBy(() -> new AvroRowFormat(FLIGHTS.schema(), "flights", "\"long\"", "f.avsc"))
        .hasMessage("Cannot read source 'flights' as Avro with f.avsc: the schema is a long, not a record");
  }
}
