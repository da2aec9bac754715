package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.testing.FlightsSample;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code strata stream --file} used to end without a word (issue 15, item 11): now a summary
 * line says how many events it read, how many tile updates it handed to the writer, and how
 * many dead letters went where. The expected counts come from the file written here.
 */
class StreamRunSummaryTest {
  @Test
  void aReplayedFileEndsWithItsCounts(@TempDir Path tmp) throws Exception {
    List<String> sample = Files.readAllLines(FlightsSample.exampleDir().resolve("data/flights-20k.csv"));
    List<String> lines = new ArrayList<>(sample.subList(0, 301)); // the header and 300 good rows
    List<String> bad = List.of(
        "not,a,row",                                         // 3 cells
        "2001-01-02 10:00:00,abc,300,ORD,LAX",               // delay is not an int
        "2001-01-02 11:00:00,5,300,ORD",                     // 4 cells
        "2001-01-02 12:00:00,5,300,ORD,LAX,extra");          // 6 cells
    lines.addAll(bad);
    Path file = tmp.resolve("events.csv");
    Files.write(file, lines);
    Path dead = tmp.resolve("dead");

    PrintStream saved = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      StreamJob.run(StreamJob.Options.parse(new String[] {"--project", FlightsSample.exampleDir().toString(),
          "--source", "flights", "--file", file.toString(), "--sink", "discard", "--dead-letters", dead.toString(),
          "--parallelism", "1"}));
    } finally {
      System.setOut(saved);
    }
    String text = out.toString(StandardCharsets.UTF_8);
    Matcher m = Pattern.compile("strata stream: flights: ([0-9,]+) events read, ([0-9,]+) tile updates written,"
        + " ([0-9,]+) dead letters \\(to (.+)\\)").matcher(text);
    assertThat(m.find()).as(text).isTrue();
    assertThat(number(m.group(1))).isEqualTo(300 + bad.size());
    assertThat(number(m.group(3))).isEqualTo(bad.size());
    assertThat(m.group(4)).isEqualTo(dead.toString());
    // every good row updates at least one tile of each of the source's three online groups
    assertThat(number(m.group(2))).isGreaterThanOrEqualTo(300);
    assertThat(dead).isDirectory();
  }

  private static long number(String text) {
    return Long.parseLong(text.replace(",", ""));
  }
}
