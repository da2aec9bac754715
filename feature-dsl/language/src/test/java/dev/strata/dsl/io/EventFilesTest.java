package dev.strata.dsl.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Event files decoded to rows and rejects: CSV and JSON of the same events give the same rows. */
class EventFilesTest {
  static final Schema SCHEMA = Schema.builder().add("time", DataType.TIMESTAMP).add("key", DataType.STRING)
      .add("n", DataType.LONG).add("x", DataType.DOUBLE).add("ok", DataType.BOOLEAN).build();
  static final EventDecoder DECODER = EventDecoder.of(SCHEMA, "time");
  static final long T = 978_310_020_000_000L; // 2001-01-01T00:47:00Z

  @TempDir
  Path dir;

  static List<String> read(Path file) {
    List<String> out = new ArrayList<>();
    EventFiles.Format f = EventFiles.Format.of(null, file.getFileName().toString());
    try (EventFiles.Reader r = EventFiles.open(file, f, DECODER)) {
      for (EventFiles.Decoded d = r.next(); d != null; d = r.next()) {
        out.add(d.isOk() ? Arrays.deepToString(d.row()) : "REJECT " + d.reason());
      }
    }
    return out;
  }

  @Test
  void csvAndJsonOfTheSameEventsDecodeAlike() throws Exception {
    Path csv = dir.resolve("e.csv");
    Files.writeString(csv, "\uFEFFok,Time,key,n,x,extra\r\n"
        + "true,2001-01-01 00:47:00,\"O'Hare, \"\"Chicago\"\"\",1,0.5,z\r\n"
        + "false,2001-01-01T00:47:00Z,\"\",,NaN,\r\n"
        + ",2001-01-01,,\"2\",,\r\n"
        + "true,2001-01-01 00:47:00,Zürich,late,1,\r\n"
        + "true,,k,1,1,\r\n"
        + "true,2001-01-01 00:47:00,k,1\r\n"
        + "true,0000-01-01,k,1,1,\r\n", StandardCharsets.UTF_8);
    Path json = dir.resolve("e.jsonl");
    Files.writeString(json, "\uFEFF{\"ok\": true, \"time\": \"2001-01-01 00:47:00\", \"key\": \"O'Hare, \\\"Chicago\\\"\", \"n\": 1, \"x\": 0.5}\n"
        + "{\"ok\": false, \"time\": " + T + ", \"key\": \"\", \"x\": \"NaN\"}\n"
        + "\n"
        + "{\"TIME\": \"2001-01-01\", \"n\": \"2\", \"ok\": null}\n"
        + "{\"ok\": true, \"time\": \"2001-01-01 00:47:00\", \"key\": \"Zürich\", \"n\": \"late\", \"x\": 1}\n"
        + "{\"ok\": true, \"key\": \"k\", \"n\": 1, \"x\": 1}\n"
        + "[1, 2]\n"
        + "{\"ok\": true, \"time\": \"0000-01-01\", \"key\": \"k\", \"n\": 1, \"x\": 1}\n", StandardCharsets.UTF_8);
    List<String> expected = List.of(
        "[" + T + ", O'Hare, \"Chicago\", 1, 0.5, true]",
        "[" + T + ", , null, NaN, false]",
        "[978307200000000, null, 2, null, null]",
        "REJECT column 'n': expected bigint, got 'late'",
        "REJECT column 'time': no event time (missing or empty)");
    List<String> fromCsv = read(csv);
    List<String> fromJson = read(json);
    assertThat(fromCsv.subList(0, 5)).isEqualTo(expected);
    assertThat(fromJson.subList(0, 5)).isEqualTo(expected);
    assertThat(fromCsv.subList(5, 7)).containsExactly(
        "REJECT expected 6 cells as in the header, got 4",
        "REJECT column 'time': Cannot use timestamp 0000-01-01T00:00:00Z: Strata's instants lie in "
            + "[0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
    assertThat(fromJson.subList(5, 7)).containsExactly(
        "REJECT expected a JSON object, got an array",
        "REJECT column 'time': Cannot use timestamp 0000-01-01T00:00:00Z: Strata's instants lie in "
            + "[0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
  }

  @Test
  void aJsonArrayFileAndAGzipFileReadLikeJsonLines() throws Exception {
    Path lines = dir.resolve("a.json");
    Files.writeString(lines, "{\"time\": \"2001-01-01\", \"n\": 1.0}\n{\"time\": 5, \"n\": 2}\n");
    Path array = dir.resolve("b.json");
    Files.writeString(array, " [\n{\"time\": \"2001-01-01\", \"n\": 1.0},\n {\"time\": 5,\n \"n\": 2}\n]\n");
    Path gz = dir.resolve("c.json.gz");
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
      out.write(Files.readAllBytes(lines));
    }
    assertThat(read(array)).isEqualTo(read(lines)).isEqualTo(read(gz))
        .containsExactly("[978307200000000, null, 1, null, null]", "[5, null, 2, null, null]");
  }

  @Test
  void fileErrorsAreOneSentence() throws Exception {
    Path empty = dir.resolve("empty.csv");
    Files.writeString(empty, "");
    assertThatThrownBy(() -> read(empty)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot read " + empty + ": the file is empty (a CSV file needs a header row)");
    Path missing = dir.resolve("missing.csv");
    Files.writeString(missing, "\uFEFFkey,n,x,ok\n");
    assertThatThrownBy(() -> read(missing))
        .hasMessage("Cannot read " + missing + ": column 'time' is missing from the header (it has key, n, x, ok)");
    Path latin1 = dir.resolve("latin1.csv");
    Files.write(latin1, "time,key,n,x,ok\n2001-01-01,Z\u00fcrich,1,1,true\n".getBytes(StandardCharsets.ISO_8859_1));
    assertThatThrownBy(() -> read(latin1)).hasMessage("Cannot read " + latin1 + ": it is not UTF-8 text");
    Path badArray = dir.resolve("bad.json");
    Files.writeString(badArray, "[{\"time\": 1}, {");
    assertThatThrownBy(() -> read(badArray)).hasMessageStartingWith("Cannot read " + badArray + ": not a JSON array of objects");
  }

  @Test
  void rangesOfAFileDecodeLikeTheWholeFile() throws Exception {
    StringBuilder text = new StringBuilder("time,key,n,x,ok\r\n");
    for (int i = 0; i < 2000; i++) {
      text.append("2001-01-01 00:").append(String.format("%02d", i % 60)).append(":00,")
          .append(i % 5 == 0 ? "\"multi\nline, \"\"" + i + "\"\"\"" : "k" + i).append(',').append(i).append(",,\r\n");
    }
    Path file = dir.resolve("big.csv");
    Files.writeString(file, text);
    List<String> whole = read(file);
    List<EventFiles.Range> ranges = EventFiles.ranges(file, EventFiles.Format.CSV, 4096);
    assertThat(ranges.size()).isGreaterThan(10);
    List<String> split = new ArrayList<>();
    for (EventFiles.Range range : ranges) {
      try (EventFiles.Reader r = EventFiles.open(file, EventFiles.Format.CSV, DECODER, range)) {
        for (EventFiles.Decoded d = r.next(); d != null; d = r.next()) {
          split.add(d.isOk() ? Arrays.deepToString(d.row()) : "REJECT " + d.reason());
        }
        assertThat(r.clean()).isTrue();
      }
    }
    assertThat(split).hasSize(2000).isEqualTo(whole);
  }

  @Test
  void rangesOfAJsonLinesFileDecodeLikeTheWholeFile() throws Exception {
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < 500; i++) {
      // A line that is an array: a reject, and a range may start with it (only a whole file is an array).
      text.append(i % 7 == 3 ? "[1, 2]" : "{\"time\": " + (i + 1) + ", \"key\": \"k" + i + "\"}").append("\r\n");
    }
    Path file = dir.resolve("big.jsonl");
    Files.writeString(file, text);
    List<String> whole = read(file);
    List<String> split = new ArrayList<>();
    List<EventFiles.Range> ranges = EventFiles.ranges(file, EventFiles.Format.JSON, 100);
    assertThat(ranges.size()).isGreaterThan(50);
    for (EventFiles.Range range : ranges) {
      try (EventFiles.Reader r = EventFiles.open(file, EventFiles.Format.JSON, DECODER, range)) {
        for (EventFiles.Decoded d = r.next(); d != null; d = r.next()) {
          split.add(d.isOk() ? Arrays.deepToString(d.row()) : "REJECT " + d.reason());
        }
      }
    }
    assertThat(split).hasSize(500).isEqualTo(whole).contains("REJECT expected a JSON object, got an array");
  }
}
