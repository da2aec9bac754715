package dev.strata.dsl.lang;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.diag.Diagnostic;
import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.plan.PlanCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, items 3-6 and 8: names a later stage cannot store, and inputs of any size, depth or
 * encoding, are refused by validation with one {@code file:line:col: message} each, never an
 * exception.
 */
class NamesAndLimitsTest {
  private static final String HEAD = """
      entities:
        airport: { keys: { airport: string } }
      sources:
        flights:
          timestamp: date
          schema: { date: timestamp, delay: int, distance: int, origin: string, destination: string }
          batch: { path: data/flights.csv }
      """;

  private static List<String> errors(String yaml) {
    ProjectLoader.Loaded loaded = ProjectLoader.loadString("defs.yaml", yaml);
    Diagnostics d = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).diagnostics();
    return d.sorted().stream().map(Diagnostic::toString).toList();
  }

  private static String group(String name, String aggregations) {
    return "  " + name + ":\n"
        + "    entity: airport\n"
        + "    source: flights\n"
        + "    keys: { airport: origin }\n"
        + "    aggregations:\n"
        + aggregations;
  }

  private static final String COUNT = "      - { name: flights, function: count, windows: [1d] }\n";

  // ------------------------------------------------------------------ item 3: collisions, reserved names

  @Test
  void aGroupCannotBeNamedLikeAnotherGroupsTileTable() {
    assertThat(errors(HEAD + "feature_groups:\n" + group("origin_delays", COUNT) + group("origin_delays__tiles", COUNT)))
        .containsExactly("defs.yaml:15:3: 'origin_delays__tiles' is not a valid name: '__' is reserved for the names "
            + "Strata derives, such as <group>__tiles");
  }

  @Test
  void aGroupCannotBeNamedLikeStratasOwnTables() {
    String reserved = "monitoring_drift, monitoring_performance, monitoring_profiles, monitoring_skew, "
        + "log_files, prediction_labels, prediction_log, served_features, training";
    for (String name : List.of("served_features", "prediction_log", "prediction_labels", "log_files", "monitoring_drift",
        "monitoring_performance", "monitoring_profiles", "monitoring_skew", "training", "Served_Features")) {
      assertThat(errors(HEAD + "feature_groups:\n" + group(name, COUNT))).as(name).containsExactly(
          "defs.yaml:9:3: feature group '" + name + "' has the name of one of Strata's own tables ("
              + String.join(", ", List.of(reserved.split(", ")).stream().sorted().toList()) + "); choose another name");
    }
  }

  @Test
  void namesEndingInAnUnderscoreAreRefusedAsTheirKubernetesFormWouldBeInvalid() {
    assertThat(errors(HEAD + "feature_groups:\n" + group("delays_", COUNT)))
        .containsExactly("defs.yaml:9:3: 'delays_' is not a valid name: it must not end with '_'");
    assertThat(NameRules.kubernetesName("origin_delays")).isEqualTo("origin-delays");
  }

  @Test
  void trainingSetColumnsMayNotCollide() {
    String yaml = """
        entities:
          airport: { keys: { airport: string } }
        sources:
          flights:
            timestamp: date
            schema: { date: timestamp, delay: int, origin: string, Label: string }
            batch: { path: data/flights.csv }
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: n, function: count, windows: [1d] }
        feature_services:
          svc:
            features: [g.*]
            derived:
              - { name: delay, expr: "g.n_1d + 1" }
        training_sets:
          t:
            service: svc
            spine: { source: flights, keys: { airport: origin } }
        """;
    assertThat(errors(yaml)).containsExactly(
        "defs.yaml:21:3: training set 't' would have two columns named alike: column 'Label' of spine source 'flights' "
            + "and the label (Spark ignores case in column names); rename one",
        "defs.yaml:21:3: training set 't' would have two columns named alike: column 'delay' of spine source 'flights' "
            + "and derived feature 'delay' (Spark ignores case in column names); rename one");
  }

  @Test
  void entityKeysCannotTakeTheColumnsStrataAddsToFeatureTables() {
    assertThat(errors("""
        entities:
          airport: { keys: { day: string } }
        """)).containsExactly("defs.yaml:2:3: key 'day' of entity 'airport' has the name of a column Strata adds to every "
        + "feature table (as_of, day, group_version, hop, tile, tile_start); rename the key");
  }

  // ------------------------------------------------------------------ item 4: case-insensitive collisions

  @Test
  void aggregationsThatDifferOnlyInCaseAreRefused() {
    assertThat(errors(HEAD + "feature_groups:\n" + group("origin_delays",
        "      - { name: max_delay, function: max, input: delay, windows: [1d] }\n"
            + "      - { name: MAX_DELAY, function: min, input: delay, windows: [1d] }\n")))
        .containsExactly(
            "defs.yaml:15:17: aggregation 'MAX_DELAY' in group 'origin_delays' differs only in case from 'max_delay' "
                + "(at defs.yaml:14:17); Spark and Iceberg ignore case in names, so they would be one",
            "defs.yaml:15:67: feature 'MAX_DELAY_1d' in group 'origin_delays' differs only in case from 'max_delay_1d' "
                + "(at defs.yaml:14:67); Spark and Iceberg ignore case in names, so they would be one");
  }

  @Test
  void definitionsAndColumnsThatDifferOnlyInCaseAreRefused() {
    assertThat(errors(HEAD + "feature_groups:\n" + group("delays", COUNT) + "---\nfeature_groups:\n" + group("Delays", COUNT)))
        .containsExactly("defs.yaml:17:3: feature group 'Delays' differs only in case from 'delays' (at defs.yaml:9:3); "
            + "Spark and Iceberg ignore case in names, so they would be one");
    assertThat(errors("""
        sources:
          flights:
            timestamp: date
            schema: { date: timestamp, delay: int, Delay: int }
        """)).containsExactly("defs.yaml:2:3: source 'flights' has columns 'delay' and 'Delay', which differ only in case; "
        + "Spark and Iceberg ignore case in column names");
  }

  @Test
  void aFeatureCannotTakeTheNameOfAnEntityKey() {
    assertThat(errors("""
        entities:
          airport: { keys: { busy_1d: string } }
        sources:
          flights:
            timestamp: date
            schema: { date: timestamp, origin: string }
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { busy_1d: origin }
            aggregations:
              - { name: busy, function: count, windows: [1d] }
        """)).containsExactly("defs.yaml:13:50: feature 'busy_1d' of group 'g' has the name of key 'busy_1d' of entity "
        + "'airport'; they would be one column of the group's tables");
  }

  // ------------------------------------------------------------------ item 5: length

  @Test
  void namesHaveAtMost63Characters() {
    String longest = "g".repeat(NameRules.MAX_LENGTH);
    assertThat(errors(HEAD + "feature_groups:\n" + group(longest, COUNT))).isEmpty();
    String tooLong = "g".repeat(300);
    assertThat(errors(HEAD + "feature_groups:\n" + group(tooLong, COUNT)))
        .containsExactly("defs.yaml:9:3: name '" + "g".repeat(30) + "...' is 300 characters long; names have at most 63");
    assertThat(errors(HEAD + "feature_groups:\n" + group("g",
        "      - { name: " + "a".repeat(64) + ", function: count, windows: [1d] }\n")))
        .containsExactly("defs.yaml:14:17: name '" + "a".repeat(30) + "...' is 64 characters long; names have at most 63");
    // the longest derived table name fits a file name with room to spare
    assertThat(NameRules.tilesTable(longest).length()).isEqualTo(70);
  }

  // ------------------------------------------------------------------ item 6: depth and size

  @Test
  void deeplyNestedFlowListsAreOneError() {
    // the file's mapping is level 1, so the 64th '[' (column 10 + 64) opens level 65
    String yaml = "entities: " + "[".repeat(20_000) + "]".repeat(20_000) + "\n";
    assertThat(errors(yaml)).containsExactly(
        "defs.yaml:1:" + (10 + YamlDocuments.MAX_DEPTH) + ": YAML is nested too deeply: lists and mappings nest at most 64 levels");
  }

  @Test
  void deeplyNestedBlockMappingsAreOneError() {
    StringBuilder yaml = new StringBuilder();
    for (int i = 0; i < 3000; i++) {
      yaml.append(" ".repeat(i)).append("k").append(i).append(":\n");
    }
    // 3,000 levels of indentation take 4.5 million characters: more than a file may hold
    assertThat(errors(yaml.toString())).containsExactly(
        "defs.yaml:1:1: cannot read file: it has " + yaml.length() + " characters; YAML files have at most 3145728 (3 MiB)");
    StringBuilder shallow = new StringBuilder();
    for (int i = 0; i < 100; i++) {
      shallow.append(" ".repeat(i)).append("k").append(i).append(":\n");
    }
    assertThat(errors(shallow.toString())).containsExactly(
        "defs.yaml:65:65: YAML is nested too deeply: lists and mappings nest at most 64 levels");
  }

  @Test
  void aliasesCannotContainThemselvesOrExplode() {
    assertThat(errors("feature_groups: &g { x: *g }\n"))
        .containsExactly("defs.yaml:1:17: YAML alias refers to a collection that contains it");
    StringBuilder laughs = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++) {
      laughs.append("a").append(i).append(": &a").append(i).append(" [");
      laughs.append(String.join(", ", java.util.Collections.nCopies(5, "*a" + (i - 1)))).append("]\n");
    }
    List<String> e = errors(laughs.toString());
    assertThat(e).hasSize(1);
    assertThat(e.get(0)).matches("defs\\.yaml:\\d+:\\d+: YAML document is too large: at most 100000 values once aliases are expanded");
  }

  @Test
  void aFilterOf20001TermsIsOneErrorAtItsPosition() {
    String filter = String.join(" OR ", java.util.stream.IntStream.range(0, 20_001).mapToObj(i -> "distance > " + i).toList());
    List<String> e = errors(HEAD + "feature_groups:\n  g:\n    entity: airport\n    source: flights\n    keys: { airport: origin }\n"
        + "    filter: \"" + filter + "\"\n    aggregations:\n" + COUNT);
    // Each "distance > N" is one level and each OR one more: the 200th OR makes level 201.
    // The filter's text starts at column 14 ("    filter: \"").
    int column = 14 + filter.indexOf(" OR distance > 200 ") + 1;
    assertThat(e).containsExactly("defs.yaml:13:" + column + ": filter: expression is nested too deeply; at most 200 levels are allowed");
  }

  // ------------------------------------------------------------------ item 8: values without sense or position

  @Test
  void hugeDurationsArePositionedErrors() {
    String head = HEAD + "feature_groups:\n" + group("g", "      - { name: a, function: count, windows: [%s], hop: %s }\n");
    assertThat(errors(head.formatted("99999999999999999999d", "1d"))).containsExactly(
        "defs.yaml:14:47: an item of 'windows': duration '99999999999999999999d' is longer than Strata's time range "
            + "(at most 3652059d; for a window over all time use lifetime)");
    assertThat(errors(head.formatted("9223372036854775807s", "1d"))).containsExactly(
        "defs.yaml:14:47: an item of 'windows': duration '9223372036854775807s' is longer than Strata's time range "
            + "(at most 3652059d; for a window over all time use lifetime)");
    // one day past the longest window Window accepts
    assertThat(errors(head.formatted("3652060d", "1d"))).containsExactly(
        "defs.yaml:14:47: an item of 'windows': duration '3652060d' is longer than Strata's time range "
            + "(at most 3652059d; for a window over all time use lifetime)");
    assertThat(errors(head.formatted("3652059d", "1d"))).isEmpty();
    assertThat(errors(head.formatted("1d", "99999999999999999999d"))).containsExactly(
        "defs.yaml:14:57: 'hop': duration '99999999999999999999d' is longer than Strata's time range "
            + "(at most 3652059d; for a window over all time use lifetime)");
    assertThat(errors(head.formatted("0d", "1d"))).containsExactly(
        "defs.yaml:14:47: an item of 'windows': duration '0d' must be positive");
  }

  @Test
  void textWhereABooleanBelongsSaysWhy() {
    assertThat(errors(HEAD + "feature_groups:\n" + group("g", COUNT) + "    online: !!str true\n")).containsExactly(
        "defs.yaml:15:13: 'online' must be true or false, got the text 'true' (quoted or tagged !!str; write it without "
            + "quotes or tag)");
    assertThat(errors(HEAD + "feature_groups:\n" + group("g", COUNT) + "    online: \"false\"\n")).containsExactly(
        "defs.yaml:15:13: 'online' must be true or false, got the text 'false' (quoted or tagged !!str; write it without "
            + "quotes or tag)");
  }

  @Test
  void numbersAndDatesOutOfRangeArePositionedErrors() {
    assertThat(errors(HEAD + "feature_groups:\n" + group("g",
        "      - { name: a, function: last_k, input: delay, args: [99999999999999999999], windows: [1d] }\n"
            + "      - { name: b, function: approx_percentile, input: delay, args: [.nan], windows: [1d] }\n")))
        .containsExactly(
            "defs.yaml:14:45: aggregation 'a': last_k takes one integer n between 1 and 10000 as args, e.g. args: [5]",
            "defs.yaml:14:59: an item of 'args': integer '99999999999999999999' is out of range (at most "
                + "9223372036854775807 in magnitude)",
            "defs.yaml:15:56: aggregation 'b': approx_percentile takes one or more percentiles between 0 and 1 as args, "
                + "e.g. args: [0.5, 0.9]",
            "defs.yaml:15:70: an item of 'args': number '.nan' must be finite");
    String monitor = """
        monitors:
          m:
            service: s
            reference: { from: 2001-01-01, to: "%s" }
        """;
    assertThat(errors(monitor.formatted("+999999999-01-01T00:00"))).contains(
        "defs.yaml:4:40: 'to': date '+999999999-01-01T00:00' is outside Strata's time range [0001-01-01, 10000-01-01)");
    assertThat(errors(monitor.formatted("+10000-01-01T00:00"))).contains(
        "defs.yaml:4:40: 'to': date '+10000-01-01T00:00' is outside Strata's time range [0001-01-01, 10000-01-01)");
    assertThat(errors(monitor.formatted("2001-13-01"))).contains(
        "defs.yaml:4:40: 'to': expected a date such as 2001-01-01 or an ISO-8601 instant, got '2001-13-01'");
  }

  @Test
  void kafkaTopicsMustBeTopicNames() {
    assertThat(errors("""
        sources:
          flights:
            timestamp: date
            schema: { date: timestamp }
            stream: { kafka: { topic: "flights and more" } }
        """)).containsExactly("defs.yaml:5:31: 'topic': 'flights and more' is not a Kafka topic name: use at most 249 "
        + "ASCII letters, digits, '.', '_' and '-'");
  }

  @Test
  void filesThatAreNotUtf8OrAreBinaryArePositionedErrors(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("bad.yaml"), "entities:\n  x: { description: \"caf\u00e9\" }\n".getBytes(StandardCharsets.ISO_8859_1));
    Files.write(dir.resolve("nul.yaml"), "sources:\n  a\u0000b: 1\n".getBytes(StandardCharsets.UTF_8));
    Files.write(dir.resolve("big.yaml"), new byte[YamlDocuments.MAX_FILE_BYTES + 1]);
    ProjectLoader.Loaded loaded = ProjectLoader.load(dir);
    List<String> e = loaded.diagnostics().sorted().stream()
        .map(d -> Path.of(d.file()).getFileName() + ":" + d.line() + ":" + d.column() + ": " + d.message()).toList();
    assertThat(e).containsExactly(
        "bad.yaml:2:25: cannot read file: byte 0xE9 (at byte 34) is not UTF-8 text; save the file as UTF-8",
        "big.yaml:1:1: cannot read file: it has 3145729 bytes; YAML files have at most 3145728 (3 MiB)",
        "nul.yaml:2:4: invalid YAML: character U+0000 is not allowed in YAML text (is this a binary file?)");
  }

  @Test
  void aDiagnosticIsOneLine() {
    assertThat(errors("entities:\n  \"a\\nb\": { keys: { k: string } }\n")).containsExactly(
        "defs.yaml:2:3: 'a\\u000Ab' is not a valid name: use ASCII letters, digits and _, starting with a letter");
  }
}
