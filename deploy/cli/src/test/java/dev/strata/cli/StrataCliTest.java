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
  static final Path EXAMPLE = Path.of("../../examples/flights");

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

  /** Issue 15 item 1: the serving log's time window flags; a bad one is one sentence, before anything starts. */
  @Test
  void serveRejectsABadLogTimeWindow(@TempDir Path tmp) {
    Run bad = run("serve", EXAMPLE.toString(), "--port", "0", "--log-dir", tmp.resolve("log").toString(), "--log-max-age", "soon");
    assertThat(bad.code()).isNotZero();
    assertThat(bad.err()).contains("Cannot use --log-max-age soon: expected a duration such as 12h or 7d.");
    assertNoStackTrace(bad);
    Run tooFar = run("serve", EXAMPLE.toString(), "--port", "0", "--log-max-ahead", "40000d");
    assertThat(tooFar.code()).isNotZero();
    assertThat(tooFar.err()).contains("Cannot use --log-max-ahead 40000d: it must be between 0 and 36500d.");
    assertNoStackTrace(tooFar);
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

  /** "line:col" (1-based) of the first {@code needle} in {@code text}, counted here from the text itself. */
  static String lineColumn(String text, String needle) {
    int at = text.indexOf(needle);
    assertThat(at).as(needle).isNotNegative();
    int line = 1 + (int) text.substring(0, at).chars().filter(c -> c == '\n').count();
    int column = at - (text.lastIndexOf('\n', at - 1) + 1) + 1;
    return line + ":" + column;
  }

  /** Issue 15 item 8: huge durations were "For input string" and "long overflow", without a position. */
  @Test
  void hugeDurationsArePositionedErrors(@TempDir Path tmp) throws IOException {
    for (String huge : List.of("99999999999999999999d", "9223372036854775807s", "3652060d")) {
      Path dir = copyExample(tmp.resolve(huge));
      Path features = dir.resolve("features.yaml");
      String text = Files.readString(features).replace("0.0 END\", windows: [1d, 7d]", "0.0 END\", windows: [1d, " + huge + "]");
      Files.writeString(features, text);
      for (String command : List.of("validate", "plan")) {
        Run r = run(command, dir.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertNoStackTrace(r);
        assertThat(r.err().lines().toList()).containsExactly(
            features + ":" + lineColumn(text, huge) + ": an item of 'windows': duration '" + huge
                + "' is longer than Strata's time range (at most 3652059d; for a window over all time use lifetime)",
            "strata: 1 error(s)");
      }
    }
  }

  /** Issue 15 item 8: a binary strata.yaml was "plan failed: Input length = 1", a non-UTF-8 file an exception's name. */
  @Test
  void unreadableFilesArePositionedErrors(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    byte[] binary = {'w', 'a', 'r', (byte) 0xFF, 0, 1, 2, (byte) 0xC3};
    Files.write(dir.resolve("strata.yaml"), binary);
    Run plan = run("plan", dir.toString());
    assertThat(plan.code()).isEqualTo(1);
    assertNoStackTrace(plan);
    String config = dir.toAbsolutePath().normalize().resolve("strata.yaml").toString();
    assertThat(plan.err().lines().toList()).containsExactly(
        config + ":1:4: cannot read file: byte 0xFF (at byte 3) is not UTF-8 text; save the file as UTF-8", "strata: 1 error(s)");
    Run validate = run("validate", dir.toString());
    assertThat(validate.err()).isEqualTo(plan.err());

    Path other = copyExample(tmp.resolve("latin1"));
    Files.write(other.resolve("entities.yaml"), "project: flights\n# caf\u00e9\n".getBytes(StandardCharsets.ISO_8859_1));
    Run r = run("validate", other.toString());
    assertThat(r.code()).isEqualTo(1);
    assertNoStackTrace(r);
    assertThat(r.err()).contains("entities.yaml:2:6: cannot read file: byte 0xE9 (at byte 22) is not UTF-8 text; "
        + "save the file as UTF-8").doesNotContain("MalformedInput");
  }

  /** Issue 15 item 6: deep YAML and a 20,001-term filter were stack traces. */
  @Test
  void deepInputsArePositionedErrors(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("deep"));
    Files.writeString(dir.resolve("deep.yaml"), "monitors: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n");
    Path features = dir.resolve("features.yaml");
    String filter = String.join(" OR ", java.util.stream.IntStream.range(0, 20_001).mapToObj(i -> "distance > " + i).toList());
    String text = Files.readString(features).replace("filter: \"distance > 0\"", "filter: \"" + filter + "\"");
    Files.writeString(features, text);
    for (String command : List.of("validate", "plan")) {
      Run r = run(command, dir.toString());
      assertThat(r.code()).isEqualTo(1);
      assertNoStackTrace(r);
      // the file's mapping is level 1: the 64th '[' opens level 65
      List<String> lines = r.err().lines().toList();
      assertThat(lines.get(0)).endsWith("deep.yaml:1:" + (10 + 64) + ": YAML is nested too deeply: lists and mappings nest at most 64 levels");
      // each "distance > N" is a level and each OR one more: the 200th OR is the 201st
      assertThat(lines.get(1)).endsWith("features.yaml:" + lineColumn(text, "OR distance > 200 ")
          + ": filter: expression is nested too deeply; at most 200 levels are allowed");
      // then what follows from origin_delays having no features (its derived features), and the count
      assertThat(lines.subList(2, lines.size() - 1)).allMatch(l -> l.matches(".*features\\.yaml:\\d+:\\d+: derived feature .*"));
      assertThat(lines.get(lines.size() - 1)).isEqualTo("strata: " + (lines.size() - 1) + " error(s)");
    }
  }

  /** Issue 15 items 3-5: names that a later stage cannot store. */
  @Test
  void namesALaterStageCannotStoreAreRefused(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("names"));
    Path features = dir.resolve("features.yaml");
    String text = Files.readString(features)
        .replace("  destination_delays:\n", "  origin_delays__tiles:\n")
        .replace("destination_delays.avg_arrival_delay_1d", "origin_delays__tiles.avg_arrival_delay_1d")
        .replace("  route_delays:\n", "  served_features:\n")
        .replace("route_delays.", "served_features.")
        .replace("      - { name: p90_delay,", "      - { name: MAX_DELAY, function: min, input: delay, windows: [1d] }\n"
            + "      - { name: p90_delay,");
    Files.writeString(features, text);
    Run r = run("validate", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertNoStackTrace(r);
    assertThat(r.err()).contains(lineColumn(text, "origin_delays__tiles:") + ": 'origin_delays__tiles' is not a valid name")
        .contains(lineColumn(text, "served_features:") + ": feature group 'served_features' has the name of one of Strata's own tables")
        .contains(lineColumn(text, "MAX_DELAY") + ": aggregation 'MAX_DELAY' in group 'origin_delays' differs only in case from 'max_delay'");

    Path longName = copyExample(tmp.resolve("long"));
    Path longFeatures = longName.resolve("features.yaml");
    Files.writeString(longFeatures, Files.readString(longFeatures).replace("origin_delays", "g".repeat(300)));
    Run l = run("validate", longName.toString());
    assertThat(l.code()).isEqualTo(1);
    assertThat(l.err()).contains("features.yaml:3:3: name '" + "g".repeat(30) + "...' is 300 characters long; names have at most 63");
  }

  @Test
  void reservedNamespacesAndHugeSettingsInStrataYamlArePositionedErrors(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("config"));
    Path config = dir.resolve("strata.yaml");
    String text = Files.readString(config).replace("  namespace: strata", "  namespace: training")
        .replace("      replicas: 2", "      replicas: 99999999999");
    Files.writeString(config, text);
    String file = dir.toAbsolutePath().normalize().resolve("strata.yaml").toString();
    for (String[] command : List.of(new String[] {"validate", dir.toString()},
        new String[] {"deploy", "render", dir.toString(), "--env", "prod", "--out", tmp.resolve("out").toString()})) {
      Run r = run(command);
      assertThat(r.code()).isEqualTo(1);
      assertNoStackTrace(r);
      assertThat(r.err().lines().toList()).containsExactly(
          file + ":" + lineColumn(text, "training") + ": namespace 'training' is reserved (rejects, training hold training sets "
              + "and rejected rows); choose another",
          file + ":" + lineColumn(text, "99999999999") + ": 'replicas': integer '99999999999' is out of range (at most "
              + "2147483647 in magnitude)",
          "strata: 2 error(s)");
    }
  }

  @Test
  void missingDirectoryIsOneSentence() {
    Run r = run("validate", "no/such/dir");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("strata: Cannot read definitions: no/such/dir does not exist");
  }

  @Test
  void badUsageExitsTwo() {
    Run r = run("validate", "--strict-ish");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--strict-ish'");
    assertNoStackTrace(r);
    assertThat(run("frobnicate").code()).isEqualTo(2);
    // no DIR is the current directory (issue 19 item 2): here not a project, which is one sentence, exit 1
    Run here = run("validate");
    assertThat(here.code()).isEqualTo(1);
    assertNoStackTrace(here);
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
  void initCreatesAValidProject(@TempDir Path tmp) throws IOException {
    Path dir = tmp.resolve("My Features-2");
    Run r = run("init", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).contains("Created project 'my_features_2'");
    assertThat(Files.readString(dir.resolve("entities.yaml"))).contains("project: my_features_2");
    assertThat(Files.readString(dir.resolve(".gitignore")).lines()).contains(".strata/");
    assertThat(dir.resolve("data/flights-20k.csv")).doesNotExist();
    Run validate = run("validate", dir.toString());
    assertThat(validate.code()).as(validate.out() + validate.err()).isZero();
    Run plan = run("plan", dir.toString());
    assertThat(plan.code()).as(plan.err()).isZero();
    assertThat(plan.out()).contains("+ feature group user_purchases");
    Run again = run("init", dir.toString());
    assertThat(again.code()).isEqualTo(1);
    assertThat(again.err()).contains("already exists");

    Path flights = tmp.resolve("ex");
    Run example = run("init", flights.toString(), "--example", "flights");
    assertThat(example.code()).as(example.err()).isZero();
    assertThat(flights.resolve("data/flights-20k.csv")).exists();
    assertThat(flights.resolve(".gitignore")).exists();
    assertThat(run("validate", flights.toString()).code()).isZero();
    assertThat(run("init", tmp.resolve("x").toString(), "--example", "nope").err().strip())
        .isEqualTo("strata: Cannot create project: unknown example 'nope' (known: flights)");
    assertThat(run("init", tmp.resolve("y").toString(), "--name", "Bad__name").code()).isEqualTo(1);
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
