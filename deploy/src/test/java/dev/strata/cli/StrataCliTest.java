package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI end to end, in-process: exit codes, what it prints, and never a stack trace. */
class StrataCliTest {
  static final Path EXAMPLE = Path.of("../examples/flights");

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = StrataCli.run(args);
      return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  static void assertNoStackTrace(Run r) {
    assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("\tat ");
  }

  static Path copyExample(Path to) throws IOException {
    try (Stream<Path> files = Files.walk(EXAMPLE)) {
      for (Path p : files.filter(Files::isRegularFile).filter(p -> !p.toString().contains(".strata")).toList()) {
        Path target = to.resolve(EXAMPLE.relativize(p).toString());
        Files.createDirectories(target.getParent());
        Files.copy(p, target);
      }
    }
    return to;
  }

  @Test
  void validateTheExample() {
    Run r = run("validate", EXAMPLE.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("OK: project 'flights' is valid: 2 entities, 1 source, 3 feature groups");
  }

  @Test
  void validateReportsEveryMistakeAsFileLineColumn(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("bad.yaml"), """
        entities:
          airport: { keys: { airport: string } }
        sources:
          flights:
            timestamp: date
            schema: { date: timestamp, delay: int, origin: string }
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            filter: "delay"
            aggregations:
              - { name: a, function: avg, input: delay, windws: [1h] }
              - { name: b, function: count, windows: [90m], hop: 1h }
              - { name: c, function: sum, input: nope, windows: [1h] }
        """);
    Run r = run("validate", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertNoStackTrace(r);
    String[] lines = r.err().strip().split("\n");
    // one line per mistake, then the count
    assertThat(lines[lines.length - 1]).isEqualTo("strata: 5 error(s)");
    for (int i = 0; i < lines.length - 1; i++) {
      assertThat(lines[i]).matches(".*bad\\.yaml:\\d+:\\d+: .+");
    }
    assertThat(r.err()).contains("unknown key 'windws' in aggregation; did you mean 'windows'?")
        .contains("is not a multiple of its hop 1h")
        .contains("unknown column 'nope'");
  }

  @Test
  void missingDirectoryIsOneSentence() {
    Run r = run("validate", "no/such/dir");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("strata: Cannot read definitions: no/such/dir does not exist");
  }

  @Test
  void badUsageExitsTwo() {
    Run r = run("validate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required parameter");
    assertNoStackTrace(r);
    assertThat(run("frobnicate").code()).isEqualTo(2);
  }

  @Test
  void planJsonPrintsTheCompiledPlan() {
    Run r = run("plan", EXAMPLE.toString(), "--json");
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"format_version\" : 1").contains("\"qualified_name\" : \"origin_delays.avg_delay_7d\"");
  }

  @Test
  void planApplyAndRegistry(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    Run plan = run("plan", dir.toString());
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("Nothing applied yet").contains("+ feature group origin_delays").contains("[needs backfill]");
    assertThat(dir.resolve(".strata")).as("plan only reads").doesNotExist();

    Run apply = run("apply", dir.toString(), "-m", "first");
    assertThat(apply.code()).as(apply.err()).isZero();
    assertThat(apply.out()).contains("Applied: project 'flights' is at registry version 1");
    assertThat(dir.resolve(".strata/warehouse/catalog.db")).exists();

    Run again = run("apply", dir.toString());
    assertThat(again.out()).contains("No changes: project 'flights' is at registry version 1.");

    Path features = dir.resolve("features.yaml");
    Files.writeString(features, Files.readString(features).replace("windows: [7d, 30d]", "windows: [7d, 14d]"));
    Run plan2 = run("plan", dir.toString());
    assertThat(plan2.out()).contains("Compared with registry version 1").contains("~ feature group route_delays")
        .contains("backfill needed for: route_delays").doesNotContain("~ feature group origin_delays");
    assertThat(run("apply", dir.toString()).out()).contains("registry version 2");

    Run list = run("registry", "list", dir.toString());
    assertThat(list.code()).isZero();
    assertThat(list.out()).contains("flights").contains("first");
    Run show = run("registry", "show", "flights", "--version", "1", "-C", dir.toString());
    assertThat(show.code()).isZero();
    assertThat(show.out()).contains("\"avg_delay_30d\"");
    Run missing = run("registry", "show", "nope", "-C", dir.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err().strip()).startsWith("strata: Cannot show project 'nope': not in the registry");
  }

  @Test
  void unreachableRegistryIsOneSentence(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    Files.writeString(dir.resolve("strata.yaml"),
        "catalog:\n  uri: jdbc:postgresql://127.0.0.1:1/strata\n  user: strata\n  password: hunter2\n");
    Run r = run("apply", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertNoStackTrace(r);
    assertThat(r.err().strip()).startsWith("strata: Cannot open registry").doesNotContain("hunter2").doesNotContain("\n");
  }

  @Test
  void initCreatesAValidProject(@TempDir Path tmp) {
    Path dir = tmp.resolve("new");
    Run r = run("init", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(run("validate", dir.toString()).code()).isZero();
    Run again = run("init", dir.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already exists");
  }

  @Test
  void driftComparesTwoSamples(@TempDir Path tmp) throws IOException {
    // January vs March of the bundled sample: delays and distances by month.
    List<String> lines = Files.readAllLines(EXAMPLE.resolve("data/flights-20k.csv"));
    List<String> jan = new java.util.ArrayList<>(List.of(lines.get(0)));
    List<String> mar = new java.util.ArrayList<>(List.of(lines.get(0)));
    for (String l : lines.subList(1, lines.size())) {
      if (l.startsWith("2001-01")) {
        jan.add(l);
      } else if (l.startsWith("2001-03")) {
        mar.add(l);
      }
    }
    Files.write(tmp.resolve("jan.csv"), jan);
    Files.write(tmp.resolve("mar.csv"), mar);
    Run r = run("drift", "--reference", tmp.resolve("jan.csv").toString(), "--current", tmp.resolve("mar.csv").toString(),
        "--columns", "delay,origin", "--json", "--report", tmp.resolve("report.html").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("\"delay\"").contains("\"origin\"").contains("psi");
    assertThat(tmp.resolve("report.html")).exists();

    Run bad = run("drift", "--reference", tmp.resolve("nope.csv").toString(), "--current", tmp.resolve("mar.csv").toString());
    assertThat(bad.code()).isEqualTo(1);
    assertNoStackTrace(bad);
    assertThat(bad.err().strip()).doesNotContain("\n").startsWith("Cannot");
  }

  @Test
  void schemaPrintsJsonSchema() {
    Run r = run("schema");
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\"$schema\" : \"https://json-schema.org/draft/2020-12/schema\"");
  }

  @Test
  void everyCommandHasHelp() {
    for (String[] cmd : new String[][] {
        {"--help"}, {"init", "--help"}, {"validate", "--help"}, {"plan", "--help"}, {"apply", "--help"},
        {"schema", "--help"}, {"drift", "--help"}, {"registry", "--help"}, {"registry", "list", "--help"}, {"registry", "show", "--help"}}) {
      Run r = run(cmd);
      assertThat(r.code()).isZero();
      assertThat(r.out()).contains("Usage: strata");
    }
  }

}
