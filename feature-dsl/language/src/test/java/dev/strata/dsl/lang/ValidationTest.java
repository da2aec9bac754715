package dev.strata.dsl.lang;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.diag.Diagnostic;
import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.plan.PlanCompiler;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every kind of mistake is reported once, at its file, line and column, all at once. */
class ValidationTest {
  private static final String GOOD_HEAD = """
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

  @Test
  void validDefinitionsHaveNoErrors() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          origin_delays:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: avg_delay, function: avg, input: delay, windows: [1h, 7d] }
        """)).isEmpty();
  }

  @Test
  void deadLettersTakeATopicOrAPath() {
    String head = """
        entities:
          airport: { keys: { airport: string } }
        sources:
          flights:
            timestamp: date
            schema: { date: timestamp, delay: int, origin: string }
            stream:
              %s
              dead_letter: %s
        """;
    ProjectLoader.Loaded ok = ProjectLoader.loadString("defs.yaml",
        head.formatted("kafka: { topic: flights }", "{ topic: flights-dead }"));
    assertThat(PlanCompiler.compile(ok.project(), ok.diagnostics()).diagnostics().hasErrors()).isFalse();
    assertThat(ok.project().sources().get("flights").stream().deadLetterTopic()).isEqualTo("flights-dead");
    ProjectLoader.Loaded folder = ProjectLoader.loadString("defs.yaml",
        head.formatted("file: { path: data/f.csv }", "{ path: dead }"));
    assertThat(folder.project().sources().get("flights").stream().deadLetterPath()).isEqualTo("dead");
    assertThat(errors(head.formatted("kafka: { topic: flights }", "{ topic: a, path: b }"))).containsExactly(
        "defs.yaml:4:3: dead_letter of source 'flights' takes one of 'topic' or 'path', not both");
    assertThat(errors(head.formatted("file: { path: data/f.csv }", "{ topic: a }"))).containsExactly(
        "defs.yaml:4:3: dead_letter of source 'flights' names a Kafka topic, but the source reads a file: use 'path'");
    assertThat(errors(head.formatted("kafka: { topic: flights }", "{ topik: a }"))).containsExactly(
        "defs.yaml:9:22: unknown key 'topik' in dead letter; did you mean 'topic'?");
  }

  @Test
  void unknownKeyWithSuggestion() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          origin_delays:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: avg_delay, function: avg, input: delay, windwos: [1h] }
        """)).containsExactly(
            "defs.yaml:14:9: aggregation 'avg_delay' is missing required key 'windows'",
            "defs.yaml:14:57: unknown key 'windwos' in aggregation; did you mean 'windows'?");
  }

  @Test
  void aMisspelledKeyInAGroupIsOneMistakeNotAlsoUnknownColumnsInDerivedFeatures() {
    // issue 19 item 5: 'windwos' made every derived feature reading the group an "unknown column".
    String services = """
        feature_services:
          svc:
            features: [origin_delays.avg_delay_1h, origin_delays.avg_delay_7d, origin_delays.flights_1h]
            derived:
              - { name: trend, expr: "origin_delays.avg_delay_1h - origin_delays.avg_delay_7d" }
              - { name: trend_x2, expr: "trend * 2" }
              - { name: busy, expr: "origin_delays.flights_1h > 10" }
        """;
    String group = """
        feature_groups:
          origin_delays:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: avg_delay, function: avg, input: delay, %s: [1h, 7d] }
              - { name: flights, function: count, windows: [1h] }
        """;
    assertThat(errors(GOOD_HEAD + group.formatted("windwos") + services)).containsExactly(
        "defs.yaml:14:9: aggregation 'avg_delay' is missing required key 'windows'",
        "defs.yaml:14:57: unknown key 'windwos' in aggregation; did you mean 'windows'?");
    // Control: with the group right, a column that does not exist is still reported, once,
    // and the derived feature reading it is not reported again.
    assertThat(errors(GOOD_HEAD + group.formatted("windows") + services
        .replace("origin_delays.flights_1h > 10", "origin_delays.flihgts_1h > 10")
        .replace("trend * 2", "trend * 2 + origin_delays.avg_delay_30d"))).containsExactly(
        "defs.yaml:21:46: derived feature 'trend_x2': unknown column 'origin_delays.avg_delay_30d'; "
            + "did you mean 'origin_delays.avg_delay_7d' or 'origin_delays.avg_delay_1h'?",
        "defs.yaml:22:30: derived feature 'busy': unknown column 'origin_delays.flihgts_1h'; "
            + "did you mean 'origin_delays.flights_1h'?");
  }

  @Test
  void aGroupThatDoesNotCompileIsNotReportedAgainWhereItIsRead() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airprot
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: count, windows: [1h] }
        feature_services:
          svc:
            features: [g.a_1h]
            derived:
              - { name: x, expr: "g.a_1h + 1" }
              - { name: y, expr: "x + 1" }
        """)).containsExactly(
            "defs.yaml:10:13: unknown entity 'airprot'; did you mean 'airport'?");
  }

  @Test
  void wrongTypes() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          origin_delays:
            entity: airport
            source: flights
            keys: { airport: origin }
            online: yes
            aggregations:
              - { name: avg_delay, function: avg, input: delay, windows: [1x] }
        """)).containsExactly(
            "defs.yaml:13:13: 'online' must be true or false, got 'yes'",
            "defs.yaml:15:67: an item of 'windows' must be a window such as 1h, 7d or lifetime, got '1x'");
  }

  @Test
  void freshnessIsAPositiveDuration() {
    String group = GOOD_HEAD + """
        feature_groups:
          origin_delays:
            entity: airport
            source: flights
            keys: { airport: origin }
            freshness: %s
            aggregations:
              - { name: avg_delay, function: avg, input: delay, windows: [1h, 7d] }
        """;
    assertThat(errors(group.formatted("2h"))).isEmpty();
    assertThat(errors(group.formatted("0h"))).containsExactly("defs.yaml:13:16: 'freshness': duration '0h' must be positive");
    assertThat(errors(group.formatted("soon"))).containsExactly(
        "defs.yaml:13:16: 'freshness' must be a duration such as 30s, 15m, 1h or 7d, got 'soon'");
    assertThat(errors(group.formatted("-2h"))).containsExactly(
        "defs.yaml:13:16: 'freshness' must be a duration such as 30s, 15m, 1h or 7d, got '-2h'");
  }

  @Test
  void unknownReferencesWithSuggestions() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          origin_delays:
            entity: airprot
            source: flight
            keys: { airport: origin }
            aggregations:
              - { name: avg_delay, function: avg, input: delay, windows: [1h] }
        feature_services:
          svc:
            features: [origin_delay.avg_delay_1h]
        """)).containsExactly(
            "defs.yaml:10:13: unknown entity 'airprot'; did you mean 'airport'?",
            "defs.yaml:11:13: unknown source 'flight'; did you mean 'flights'?",
            "defs.yaml:17:16: unknown feature group 'origin_delay'; did you mean 'origin_delays'?");
  }

  @Test
  void unknownFunction() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: averag, input: delay, windows: [1h] }
              - { name: b, function: sum, input: delay, windows: [1h] }
        """)).containsExactly(
            "defs.yaml:14:30: 'function' must be one of " + String.join(", ", LanguageSpec.functionNames())
                + ", got 'averag'");
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: coutn, windows: [1h] }
        """)).containsExactly(
            "defs.yaml:14:30: 'function' must be one of " + String.join(", ", LanguageSpec.functionNames())
                + ", got 'coutn'; did you mean 'count'?");
  }

  @Test
  void unknownFeatureOfAGroup() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: b, function: sum, input: delay, windows: [1h] }
        feature_services:
          svc:
            features: [g.b_2h, g.b_1h, g.b_1h, g]
        """)).containsExactly(
            "defs.yaml:17:16: group 'g' has no feature 'b_2h'; did you mean 'b_1h'?",
            "defs.yaml:17:32: feature 'g.b_1h' is listed twice in service 'svc'",
            "defs.yaml:17:40: feature 'g' must be written group.feature or group.*");
  }

  @Test
  void duplicateNamesAcrossAndWithinFiles() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: count, windows: [1h, 1h] }
              - { name: a, function: sum, input: delay, windows: [1d] }
        ---
        entities:
          airport: { keys: { airport: string } }
        """)).containsExactly(
            "defs.yaml:14:51: window 1h is listed twice in aggregation 'a'",
            "defs.yaml:15:17: duplicate aggregation 'a' in group 'g' (first at defs.yaml:14:17)",
            "defs.yaml:18:3: duplicate entity 'airport' (first defined at defs.yaml:2:3)");
  }

  @Test
  void windowNotMultipleOfHop() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: count, windows: [90m, 1d], hop: 1h }
              - { name: b, function: count, windows: [7h], hop: 7m }
        """)).containsExactly(
            "defs.yaml:14:47: window 90m of aggregation 'a' is not a multiple of its hop 1h",
            "defs.yaml:15:57: hop 7m of aggregation 'b' must divide a day or be whole days, so tiles align with daily partitions");
  }

  @Test
  void typeErrorsInExpressions() {
    List<String> e = errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: distance }
            filter: "distance + 1"
            aggregations:
              - { name: a, function: avg, input: origin, windows: [1h] }
              - { name: b, function: sum, input: "dealy * 2", windows: [1h] }
        """);
    assertThat(e).hasSize(4);
    assertThat(e.get(0)).startsWith("defs.yaml:12:22: key 'airport': ");
    assertThat(e.get(1)).startsWith("defs.yaml:13:14: filter: ").contains("boolean");
    assertThat(e.get(2)).startsWith("defs.yaml:15:42: aggregation 'a': ").contains("string");
    assertThat(e.get(3)).startsWith("defs.yaml:16:43: input of 'b': ").contains("dealy").contains("did you mean 'delay'");
  }

  @Test
  void cyclesAmongDerivedFeatures() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: count, windows: [1h] }
        feature_services:
          svc:
            features: [g.*]
            derived:
              - { name: x, expr: "y + 1" }
              - { name: y, expr: "x * 2" }
              - { name: z, expr: "g.a_1h + 1" }
        """)).containsExactly("defs.yaml:19:17: derived features form a cycle: x -> y -> x");
  }

  @Test
  void invalidYamlIsOneError() {
    assertThat(errors("entities:\n  airport: { keys: [\n")).hasSize(1).first().asString().startsWith("defs.yaml:3:1: invalid YAML");
  }

  @Test
  void trainingSetMustCoverTheServiceEntities() {
    assertThat(errors(GOOD_HEAD + """
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: count, windows: [1h] }
        feature_services:
          svc: { features: [g.*] }
        training_sets:
          t:
            service: svc
            spine: { source: flights, keys: { route: origin }, label: "delay > 15" }
        """)).containsExactly(
            "defs.yaml:20:12: spine of training set 't' must give the keys of entity 'airport' (used by service 'svc')",
            "defs.yaml:20:39: unknown entity 'route' in spine keys; expected one of airport");
  }

  @Test
  void monitorPredictionsNameAModelOrATableWithItsColumn() {
    String head = GOOD_HEAD + """
        feature_groups:
          origin_delays:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: avg_delay, function: avg, input: delay, windows: [1h] }
        feature_services:
          s: { features: [origin_delays.avg_delay_1h] }
        monitors:
          m:
            service: s
            reference: { from: 2001-01-01, to: 2001-02-01 }
        """;
    assertThat(errors(head + "    predictions: { model: delay_model }\n")).isEmpty();
    assertThat(errors(head + "    predictions: { table: p.scores, column: score, label: late }\n")).isEmpty();
    assertThat(errors(head + "    predictions: { model: a, table: p.scores, column: score }\n"))
        .containsExactly("defs.yaml:18:3: predictions of monitor 'm' need exactly one of 'model' or 'table'");
    assertThat(errors(head + "    predictions: { table: p.scores }\n"))
        .containsExactly("defs.yaml:18:3: predictions of monitor 'm' need a 'column' with 'table'");
    assertThat(errors(head + "    predictions: { model: a, column: score }\n"))
        .containsExactly("defs.yaml:18:3: predictions of monitor 'm' take 'column' and 'label' only with 'table'"
            + " (the prediction log has its own)");
  }

  @Test
  void fileSpineColumnsAreTypedFromTheEntitiesAndItsSchema() {
    String head = GOOD_HEAD + """
          clicks:
            timestamp: ts
            schema: { ts: timestamp, user: string }
            batch: { path: data/clicks.csv }
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: count, windows: [1h] }
        feature_services:
          svc: { features: [g.*] }
        training_sets:
          t:
            service: svc
        """;
    // keys typed from the entity, the time column from the service's sources, the label's column declared
    assertThat(errors(head + "    spine: { path: s.csv, keys: { airport: code }, schema: { late: boolean }, label: late }\n")).isEmpty();
    assertThat(errors(head + "    spine: { path: s.csv, keys: { airport: \"UPPER(code)\" }, schema: { code: string } }\n")).isEmpty();
    assertThat(errors(head + "    spine: { path: s.csv, keys: { airport: code }, label: \"delay > 15\" }\n"))
        .containsExactly("defs.yaml:24:60: label: unknown column 'delay'; available columns: code, date");
    assertThat(errors(head + "    spine: { path: s.csv, keys: { airport: code }, timestamp: at, schema: { at: date } }\n"))
        .containsExactly("defs.yaml:24:81: 'at' must be a type: boolean, int, bigint, double, string or timestamp, got 'date'");
    assertThat(errors(head + "    spine: { path: s.csv, keys: { airport: code }, timestamp: at, schema: { at: bigint } }\n"))
        .containsExactly("defs.yaml:24:12: spine time column 'at' of training set 't' must be timestamp, got bigint");
    assertThat(errors(head + "    spine: { path: s.csv, keys: { airport: date } }\n"))
        .containsExactly("defs.yaml:24:12: spine time column 'date' of training set 't' is also the column of key airport.airport");
    assertThat(errors(head + "    spine: { source: flights, keys: { airport: origin }, schema: { late: boolean } }\n"))
        .containsExactly("defs.yaml:24:12: spine of training set 't' takes 'schema' only with 'path': a source spine has the"
            + " source's columns");
    // a service over sources whose time columns differ: the spine names its own
    String twoSources = head.replace("svc: { features: [g.*] }", "svc: { features: [g.*, h.*] }").replace("feature_services:", """
          h:
            entity: airport
            source: clicks
            keys: { airport: user }
            aggregations:
              - { name: b, function: count, windows: [1h] }
        feature_services:""");
    assertThat(errors(twoSources + "    spine: { path: s.csv, keys: { airport: code } }\n"))
        .containsExactly("defs.yaml:30:12: spine of training set 't' reads a file: name its time column with 'timestamp'"
            + " (the service's sources call theirs date, ts)");
    assertThat(errors(twoSources + "    spine: { path: s.csv, keys: { airport: code }, timestamp: at }\n")).isEmpty();
  }
}
