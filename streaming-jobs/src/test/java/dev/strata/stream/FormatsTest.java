package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Records → rows: the values the language expects, and one-sentence reasons for everything else. */
class FormatsTest {
  static final CompiledSource FLIGHTS = FlightsSample.plan().source("flights").orElseThrow();
  static final long T = Durations.parseInstant("2001-01-03T10:00:00Z");

  @Test
  void jsonRecordsBecomeRowsOfTheSchema() throws Exception {
    RowFormat json = new JsonRowFormat(FLIGHTS.schema());
    assertThat(json.parse("{\"date\":\"2001-01-03 10:00:00\",\"delay\":-3,\"distance\":\"700\",\"origin\":\"ORD\",\"extra\":[1]}"))
        .containsExactly(T, -3L, 700L, "ORD", null);
    assertThat(json.parse("{\"date\":" + T + ",\"delay\":null}")).containsExactly(T, null, null, null, null);
  }

  @Test
  void malformedJsonSaysWhy() {
    RowFormat json = new JsonRowFormat(FLIGHTS.schema());
    assertThatThrownBy(() -> json.parse("{oops")).isInstanceOf(MalformedRecordException.class).hasMessageStartingWith("not JSON");
    assertThatThrownBy(() -> json.parse("[1]")).hasMessage("expected a JSON object, got array");
    assertThatThrownBy(() -> json.parse("{\"delay\":\"soon\"}")).hasMessage("column 'delay': expected bigint, got 'soon'");
    assertThatThrownBy(() -> json.parse("{\"delay\":1.5}")).hasMessage("column 'delay': expected a whole number, got 1.5");
    assertThatThrownBy(() -> json.parse("{\"date\":\"yesterday\"}")).hasMessage("column 'date': expected timestamp, got 'yesterday'");
    assertThatThrownBy(() -> json.parse("{\"origin\":{\"a\":1}}")).hasMessage("column 'origin': expected string, got a JSON object");
  }

  @Test
  void csvFindsColumnsByHeaderAndHonoursQuotes() throws Exception {
    RowFormat csv = new CsvRowFormat(FLIGHTS.schema(), "origin,date,delay,note,destination");
    assertThat(csv.parse("\"O\"\"RD\",2001-01-03T10:00:00Z,,\"a, b\",JFK")).containsExactly(T, null, null, "O\"RD", "JFK");
    assertThatThrownBy(() -> csv.parse("ORD,2001-01-03")).hasMessage("expected 5 CSV columns, got 2");
    assertThat(CsvRowFormat.split("a,,\"\"")).isEqualTo(List.of("a", "", ""));
  }

  @Test
  void recordsWithoutEventTimeAreMalformed() {
    RecordParser parser = new RecordParser(new JsonRowFormat(FLIGHTS.schema()), 0, "date");
    Parsed p = parser.parse("{\"delay\":5}");
    assertThat(p.isOk()).isFalse();
    assertThat(p.error()).isEqualTo("malformed record: no event time (column 'date' is missing or null)");
    assertThat(parser.parse("{\"date\":\"2001-01-03T10:00:00Z\"}").micros()).isEqualTo(T);
  }

  @Test
  void unsupportedFormatsAreRefusedInOneSentence() {
    assertThatThrownBy(() -> Formats.of(FLIGHTS, "avro", null))
        .hasMessage("Cannot read source 'flights': stream format 'avro' is not supported yet (use json or csv)");
  }
}
