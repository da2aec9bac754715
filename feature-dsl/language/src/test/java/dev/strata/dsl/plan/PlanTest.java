package dev.strata.dsl.plan;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.model.Aggregation;
import dev.strata.dsl.model.Entity;
import dev.strata.dsl.model.FeatureGroup;
import dev.strata.dsl.model.FeatureService;
import dev.strata.dsl.model.Project;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.model.TrainingSet;
import dev.strata.dsl.types.DataType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PlanTest {
  static final Path EXAMPLE = Path.of("../../examples/flights");

  static final String SMALL = """
      project: small
      entities:
        airport: { keys: { airport: string } }
      sources:
        flights:
          timestamp: date
          schema: { date: timestamp, delay: int, distance: int, origin: string }
          batch: { path: data/flights.csv }
      feature_groups:
        origin_delays:
          entity: airport
          source: flights
          keys: { airport: origin }
          filter: "distance > 0"
          aggregations:
            - { name: avg_delay, function: avg, input: delay, windows: [1h, 7d] }
            - { name: flights, function: count, windows: [1d] }
          online: true
          ttl: 30d
        dest_counts:
          entity: airport
          source: flights
          keys: { airport: origin }
          aggregations:
            - { name: max_delay, function: max, input: delay, windows: [30d] }
      feature_services:
        svc:
          features: [origin_delays.*, dest_counts.max_delay_30d]
          derived:
            - { name: trend, expr: "origin_delays.avg_delay_1h - origin_delays.avg_delay_7d" }
      training_sets:
        ts:
          service: svc
          spine: { source: flights, keys: { airport: origin }, label: "delay > 15" }
      """;

  static CompiledPlan compile(String yaml) {
    ProjectLoader.Loaded loaded = ProjectLoader.loadString("defs.yaml", yaml);
    PlanCompiler.Result r = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
    assertThat(r.diagnostics().sorted()).isEmpty();
    return r.plan().orElseThrow();
  }

  static Map<String, String> fingerprints(CompiledPlan plan) {
    return plan.groups().stream().collect(Collectors.toMap(CompiledPlan.CompiledGroup::name, CompiledPlan.CompiledGroup::fingerprint));
  }

  @Test
  void exampleProjectCompiles() {
    ProjectLoader.Loaded loaded = ProjectLoader.load(EXAMPLE);
    PlanCompiler.Result r = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
    assertThat(r.diagnostics().sorted()).isEmpty();
    CompiledPlan plan = r.plan().orElseThrow();
    assertThat(plan.project()).isEqualTo("flights");
    assertThat(plan.groups()).extracting(CompiledPlan.CompiledGroup::name)
        .containsExactly("origin_delays", "destination_delays", "route_delays");
    CompiledPlan.CompiledGroup origin = plan.group("origin_delays").orElseThrow();
    assertThat(origin.feature("avg_delay_7d").orElseThrow().type()).isEqualTo(DataType.DOUBLE);
    assertThat(origin.feature("flights_1d").orElseThrow().type()).isEqualTo(DataType.LONG);
    // Default hops: 1m for W <= 1h, 1h for W < 12d (docs/design.md).
    assertThat(origin.feature("avg_delay_1h").orElseThrow().hopMicros()).isEqualTo(60_000_000L);
    assertThat(origin.feature("avg_delay_7d").orElseThrow().hopMicros()).isEqualTo(3_600_000_000L);
    assertThat(plan.group("route_delays").orElseThrow().feature("flights_lifetime").orElseThrow().hopMicros())
        .isEqualTo(86_400_000_000L);
    assertThat(origin.version()).hasSize(12).isEqualTo(origin.fingerprint().substring(0, 12));
  }

  @Test
  void planJsonIsStableAndVersioned() {
    CompiledPlan a = compile(SMALL);
    CompiledPlan b = compile(SMALL);
    assertThat(PlanJson.toPrettyString(a)).isEqualTo(PlanJson.toPrettyString(b));
    JsonNode json = PlanJson.parse(PlanJson.toCompactString(a));
    assertThat(json.path("format_version").asInt()).isEqualTo(1);
    JsonNode group = json.path("feature_groups").get(0);
    assertThat(group.path("name").asText()).isEqualTo("origin_delays");
    assertThat(group.path("features").get(0).path("name").asText()).isEqualTo("avg_delay_1h");
    assertThat(group.path("features").get(0).path("type").asText()).isEqualTo("double");
    assertThat(group.path("filter").isObject()).isTrue();
    assertThat(group.path("ttl").asText()).isEqualTo("30d");
  }

  @Test
  void changingOneWindowChangesExactlyThatGroupsFingerprint() {
    Map<String, String> before = fingerprints(compile(SMALL));
    Map<String, String> after = fingerprints(compile(SMALL.replace("windows: [1d] }", "windows: [2d] }")));
    assertThat(after.get("origin_delays")).isNotEqualTo(before.get("origin_delays"));
    assertThat(after.get("dest_counts")).isEqualTo(before.get("dest_counts"));
  }

  @Test
  void fingerprintIgnoresWhatChangesNoValue() {
    String base = fingerprints(compile(SMALL)).get("origin_delays");
    List<UnaryOperator<String>> neutral = List.of(
        s -> s.replace("ttl: 30d", "ttl: 7d"),
        s -> s.replace("online: true", "online: false"),
        s -> s.replace("    ttl: 30d\n", "    ttl: 30d\n    description: Delays.\n    owner: team\n"),
        // reordering aggregations in the YAML: tiles are in name order
        s -> s.replace(
            "      - { name: avg_delay, function: avg, input: delay, windows: [1h, 7d] }\n"
                + "      - { name: flights, function: count, windows: [1d] }\n",
            "      - { name: flights, function: count, windows: [1d] }\n"
                + "      - { name: avg_delay, function: avg, input: delay, windows: [1h, 7d] }\n"),
        s -> s.replace("filter: \"distance > 0\"", "filter: \"distance   >   0\""));
    for (UnaryOperator<String> change : neutral) {
      String changed = change.apply(SMALL);
      assertThat(changed).isNotEqualTo(SMALL);
      assertThat(fingerprints(compile(changed)).get("origin_delays")).isEqualTo(base);
    }
    List<UnaryOperator<String>> meaningful = List.of(
        s -> s.replace("filter: \"distance > 0\"", "filter: \"distance > 1\""),
        s -> s.replace("function: avg, input: delay", "function: avg, input: \"delay + 1\""),
        s -> s.replace("windows: [1d] }", "windows: [1d], hop: 30m }"),
        s -> s.replace("delay: int", "delay: double"),
        s -> s.replace("keys: { airport: origin }\n    filter", "keys: { airport: \"lower(origin)\" }\n    filter"));
    for (UnaryOperator<String> change : meaningful) {
      String changed = change.apply(SMALL);
      assertThat(changed).isNotEqualTo(SMALL);
      assertThat(fingerprints(compile(changed)).get("origin_delays")).isNotEqualTo(base);
    }
  }

  @Test
  void builderApiProducesTheSamePlanAsYaml() {
    Project project = Project.builder("small")
        .entity(Entity.builder("airport").key("airport", DataType.STRING).build())
        .source(Source.builder("flights").timestamp("date")
            .column("date", DataType.TIMESTAMP).column("delay", DataType.LONG).column("distance", DataType.LONG)
            .column("origin", DataType.STRING).batchPath("data/flights.csv").build())
        .featureGroup(FeatureGroup.builder("origin_delays").entity("airport").source("flights")
            .key("airport", "origin").filter("distance > 0")
            .aggregation(Aggregation.of("avg_delay", "avg", "delay", "1h", "7d"))
            .aggregation(Aggregation.of("flights", "count", null, "1d"))
            .online(true).ttl("30d").build())
        .featureGroup(FeatureGroup.builder("dest_counts").entity("airport").source("flights")
            .key("airport", "origin").aggregation(Aggregation.of("max_delay", "max", "delay", "30d")).build())
        .featureService(FeatureService.builder("svc").features("origin_delays.*", "dest_counts.max_delay_30d")
            .derived("trend", "origin_delays.avg_delay_1h - origin_delays.avg_delay_7d").build())
        .trainingSet(TrainingSet.of("ts", "svc", "flights", Map.of("airport", List.of("origin")), "delay > 15"))
        .build();
    CompiledPlan fromJava = PlanCompiler.compileOrThrow(project);
    assertThat(PlanJson.toPrettyString(fromJava)).isEqualTo(PlanJson.toPrettyString(compile(SMALL)));
  }

  @Test
  void diffNamesWhatChangedAndWhatNeedsBackfill() {
    JsonNode before = PlanJson.toJson(compile(SMALL));
    assertThat(PlanDiff.between(before, before).isEmpty()).isTrue();

    PlanDiff fresh = PlanDiff.between(null, before);
    assertThat(fresh.groupsNeedingBackfill()).containsExactly("origin_delays", "dest_counts");

    JsonNode after = PlanJson.toJson(compile(SMALL
        .replace("windows: [1d] }", "windows: [1d, 2d] }")
        .replace("windows: [1h, 7d]", "windows: [1h, 7d, 14d]")));
    PlanDiff diff = PlanDiff.between(before, after);
    assertThat(diff.groupsNeedingBackfill()).containsExactly("origin_delays");
    assertThat(diff.changes()).extracting(PlanDiff.Change::kind, PlanDiff.Change::name, PlanDiff.Change::action)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("feature_group", "origin_delays", PlanDiff.Action.CHANGED),
            org.assertj.core.groups.Tuple.tuple("feature", "origin_delays.avg_delay_14d", PlanDiff.Action.ADDED),
            org.assertj.core.groups.Tuple.tuple("feature", "origin_delays.flights_2d", PlanDiff.Action.ADDED),
            org.assertj.core.groups.Tuple.tuple("feature_service", "svc", PlanDiff.Action.CHANGED));
    assertThat(diff.toText()).contains("~ feature group origin_delays").contains("[needs backfill]");

    JsonNode ttlOnly = PlanJson.toJson(compile(SMALL.replace("ttl: 30d", "ttl: 7d")));
    PlanDiff metadata = PlanDiff.between(before, ttlOnly);
    assertThat(metadata.groupsNeedingBackfill()).isEmpty();
    assertThat(metadata.changes()).singleElement().extracting(PlanDiff.Change::detail).asString().contains("ttl");
  }

  @Test
  void declaredFreshnessIsShownAndUsedButMakesNoNewVersion() {
    CompiledPlan derived = compile(SMALL);
    CompiledPlan declared = compile(SMALL.replace("    ttl: 30d\n", "    ttl: 30d\n    freshness: 2h\n"));
    CompiledPlan.CompiledGroup before = derived.group("origin_delays").orElseThrow();
    CompiledPlan.CompiledGroup after = declared.group("origin_delays").orElseThrow();
    // freshness says when data should arrive, not what it is: same values, same version, no backfill
    assertThat(after.fingerprint()).isEqualTo(before.fingerprint());
    assertThat(after.version()).isEqualTo(before.version());
    PlanDiff diff = PlanDiff.between(PlanJson.toJson(derived), PlanJson.toJson(declared));
    assertThat(diff.groupsNeedingBackfill()).isEmpty();
    assertThat(diff.changes()).singleElement().satisfies(c -> {
      assertThat(c.name()).isEqualTo("origin_delays");
      assertThat(c.detail()).isEqualTo("changed freshness (values unchanged, no backfill)");
    });
    assertThat(PlanJson.toJson(declared).path("feature_groups").get(0).path("freshness").asText()).isEqualTo("2h");
    assertThat(PlanJson.toJson(derived).path("feature_groups").get(0).has("freshness"))
        .as("undeclared: absent, so plans applied before the setting existed show no change").isFalse();

    long hour = 3_600_000_000L;
    assertThat(after.freshnessMicros()).isEqualTo(2 * hour);
    assertThat(Freshness.expectedMicros(after)).isEqualTo(2 * hour);
    assertThat(Freshness.declared(after)).isTrue();
    // undeclared: the smallest window (1h here; 30d clamps to a day)
    assertThat(Freshness.expectedMicros(before)).isEqualTo(hour);
    assertThat(Freshness.expectedMicros(derived.group("dest_counts").orElseThrow())).isEqualTo(24 * hour);
    // a declared value is taken as written, even below the default's 1h floor
    CompiledPlan tight = compile(SMALL.replace("    ttl: 30d\n", "    ttl: 30d\n    freshness: 90s\n"));
    CompiledPlan.CompiledGroup t = tight.group("origin_delays").orElseThrow();
    assertThat(Freshness.expectedMicros(t)).isEqualTo(90_000_000L);
    assertThat(Freshness.onlineStale(t, 0, 90_000_000L)).isFalse();
    assertThat(Freshness.onlineStale(t, 0, 90_000_001L)).isTrue();
    assertThat(Freshness.offlineStale(t, 0, 24 * hour + 90_000_001L)).isTrue();
    assertThat(Freshness.offlineStale(t, 0, 24 * hour + 90_000_000L)).isFalse();

    Project fromJava = Project.builder("p")
        .entity(Entity.builder("airport").key("airport", DataType.STRING).build())
        .source(Source.builder("flights").timestamp("date").column("date", DataType.TIMESTAMP)
            .column("origin", DataType.STRING).batchPath("f.csv").build())
        .featureGroup(FeatureGroup.builder("g").entity("airport").source("flights").key("airport", "origin")
            .aggregation(Aggregation.of("n", "count", null, "1d")).freshness("45m").build())
        .build();
    assertThat(Freshness.expectedMicros(PlanCompiler.compileOrThrow(fromJava).group("g").orElseThrow()))
        .isEqualTo(45 * 60_000_000L);
  }

  @Test
  void exampleFilesLoadFromDisk() throws IOException {
    try (var files = Files.list(EXAMPLE)) {
      assertThat(files.map(p -> p.getFileName().toString()).toList()).contains("entities.yaml", "features.yaml", "strata.yaml");
    }
  }
}
