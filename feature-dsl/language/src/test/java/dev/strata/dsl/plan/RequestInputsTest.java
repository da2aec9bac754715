package dev.strata.dsl.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.strata.dsl.diag.Diagnostic;
import dev.strata.dsl.lang.JsonSchemaExporter;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.model.Aggregation;
import dev.strata.dsl.model.Entity;
import dev.strata.dsl.model.FeatureGroup;
import dev.strata.dsl.model.FeatureService;
import dev.strata.dsl.model.Project;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Request inputs (issue 20 item 1): typed values of the request that derived features read as
 * {@code request.<name>}, checked like every definition and evaluated by the oracle from the
 * request online and from the spine column of the same name offline. Expected values are worked
 * out by hand in the comments; HAVERSINE's come from vectors/haversine.py.
 */
class RequestInputsTest {
  static final String DEFS = """
      entities:
        airport: { keys: { airport: string } }
      sources:
        flights:
          timestamp: date
          schema: { date: timestamp, delay: int, distance: int, origin: string, lat: double, lon: double }
      feature_groups:
        g:
          entity: airport
          source: flights
          keys: { airport: origin }
          aggregations:
            - { name: total, function: sum,   input: delay, windows: [1d] }
            - { name: rows,  function: count,               windows: [1d] }
      feature_services:
        svc:
          features: [g.total_1d, g.rows_1d]
          request: { distance: bigint, lat: double, lon: double }
          derived:
            - { name: delay_per_mile, expr: "g.total_1d / request.distance" }
            - { name: km_to_ord, expr: "HAVERSINE(request.lat, request.lon, 41.9786, -87.9048)" }
            - { name: long_trip, expr: "request.distance > 1000 AND delay_per_mile > 0.01" }
      training_sets:
        ts:
          service: svc
          spine: { source: flights, keys: { airport: origin } }
      """;

  static final double LAX_TO_ORD_KM = 2802.1283455260477; // vectors/haversine.csv, row 1

  static CompiledPlan compile(String yaml) {
    ProjectLoader.Loaded loaded = ProjectLoader.loadString("defs.yaml", yaml);
    return PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
  }

  static List<String> errors(String yaml) {
    ProjectLoader.Loaded loaded = ProjectLoader.loadString("defs.yaml", yaml);
    return PlanCompiler.compile(loaded.project(), loaded.diagnostics()).diagnostics().sorted().stream()
        .map(Diagnostic::toString).toList();
  }

  static long at(String iso) {
    return Durations.parseInstant(iso);
  }

  static Object[] flight(String iso, long delay, long distance, double lat, double lon) {
    return new Object[] {at(iso), delay, distance, "ORD", lat, lon};
  }

  static final List<Object[]> EVENTS = List.of(
      flight("2001-01-01T08:00:00Z", 10, 500, 33.9425, -118.4081),
      flight("2001-01-01T09:00:00Z", 30, 2000, 40.6413, -73.7781));

  static Map<String, Object> online(Map<String, ?> request) {
    return new Oracle(compile(DEFS)).serviceFeatures("svc", Map.of("flights", EVENTS),
        Map.of("airport", List.of("ORD")), request, at("2001-01-01T12:00:00Z"));
  }

  @Test
  void derivedFeaturesReadTheRequest() {
    Map<String, Object> v = online(Map.of("distance", 800L, "lat", 33.9425, "lon", -118.4081));
    // total of the day before noon: 10 + 30 = 40; 40 / 800 = 0.05; 800 > 1000 is false
    assertThat(v).containsEntry("g.total_1d", 40L).containsEntry("delay_per_mile", 0.05).containsEntry("long_trip", false);
    assertThat((Double) v.get("km_to_ord")).isCloseTo(LAX_TO_ORD_KM, within(1e-9));
    assertThat(v).as("request inputs are inputs, not features").doesNotContainKeys("distance", "request.distance");
    assertThat(v.keySet()).containsExactly("g.total_1d", "g.rows_1d", "delay_per_mile", "km_to_ord", "long_trip");
  }

  @Test
  void requestValuesTakeTheInputsTypeAndNullIsSqlNull() {
    // "2000" is read as the bigint 2000 and 41 as the double 41.0, by the JSON rules of event values
    Map<String, Object> v = online(Map.of("distance", "2000", "lat", 41L, "lon", -87.9048));
    assertThat(v).containsEntry("delay_per_mile", 0.02).containsEntry("long_trip", true); // 40 / 2000; 0.02 > 0.01
    Map<String, Object> nulls = new HashMap<>();
    nulls.put("distance", null);
    nulls.put("lat", 41.9786);
    Map<String, Object> n = online(nulls); // lon left out: NULL as well
    assertThat(n).containsEntry("delay_per_mile", null).containsEntry("km_to_ord", null).containsEntry("long_trip", null);
    assertThat(online(Map.of("distance", 0L, "lat", 0.0, "lon", 0.0))).as("x / 0 is NULL").containsEntry("delay_per_mile", null);
  }

  @Test
  void aTrainingSetTakesEachRequestInputFromTheSpineColumnOfTheSameName() {
    List<Oracle.TrainingRow> rows = new Oracle(compile(DEFS)).trainingSet("ts", Map.of("flights", EVENTS), EVENTS);
    assertThat(rows).hasSize(2);
    // 08:00: no earlier event, the sum of nothing is NULL; the spine row's own position is LAX
    assertThat(rows.get(0).features()).containsEntry("g.total_1d", null).containsEntry("delay_per_mile", null)
        .containsEntry("long_trip", false); // 500 > 1000 is false, and FALSE AND NULL is FALSE
    assertThat((Double) rows.get(0).features().get("km_to_ord")).isCloseTo(LAX_TO_ORD_KM, within(1e-9));
    // 09:00: the 08:00 flight only: 10 / 2000 = 0.005; 2000 > 1000 but 0.005 > 0.01 is false
    assertThat(rows.get(1).features()).containsEntry("g.total_1d", 10L).containsEntry("delay_per_mile", 0.005)
        .containsEntry("long_trip", false);
  }

  @Test
  void haversineMatchesAnIndependentComputation() throws IOException {
    List<String> lines;
    try (InputStream in = RequestInputsTest.class.getResourceAsStream("/vectors/haversine.csv")) {
      lines = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().skip(1).toList();
    }
    assertThat(lines).hasSizeGreaterThan(5);
    for (String line : lines) {
      String[] f = line.split(",");
      double expected = Double.parseDouble(f[4]);
      // km_to_ord is fixed at ORD; evaluate HAVERSINE through a one-off service instead
      String yaml = DEFS.replace("HAVERSINE(request.lat, request.lon, 41.9786, -87.9048)",
          "HAVERSINE(request.lat, request.lon, " + f[2] + ", " + f[3] + ")");
      Map<String, Object> v = new Oracle(compile(yaml)).serviceFeatures("svc", Map.of("flights", EVENTS),
          Map.of("airport", List.of("ORD")), Map.of("distance", 1L, "lat", Double.parseDouble(f[0]), "lon", Double.parseDouble(f[1])),
          at("2001-01-01T12:00:00Z"));
      assertThat((Double) v.get("km_to_ord")).as(line).isCloseTo(expected, within(Math.max(1e-9, expected * 1e-12)));
    }
  }

  @Test
  void mistakesPointAtTheirPlace() {
    assertThat(errors(DEFS.replace("g.total_1d / request.distance", "g.total_1d / request.distnace"))).containsExactly(
        "defs.yaml:20:53: derived feature 'delay_per_mile': unknown column 'request.distnace'; did you mean 'request.distance'?");
    assertThat(errors(DEFS.replace("request.distance > 1000", "UPPER(request.distance) > 1000"))).containsExactly(
        "defs.yaml:22:41: derived feature 'long_trip': UPPER expects a string as argument 1, got bigint");
    assertThat(errors(DEFS.replace("request: { distance: bigint,", "request: { airport: string, distance: bigint,")))
        .containsExactly("defs.yaml:16:3: request input 'airport' of service 'svc' has the name of a key of entity 'airport': a"
            + " request carries keys and request inputs side by side; rename the input");
    assertThat(errors(DEFS.replace("distance: bigint,", "distance: bigitn,"))).hasSize(1).allMatch(e -> e.startsWith("defs.yaml:18:"));
  }

  @Test
  void aSpineWithoutTheRequestColumnOrOfAnotherTypeIsRefused() {
    assertThat(errors(DEFS.replace("request: { distance: bigint,", "request: { miles: bigint, distance: bigint,")))
        .containsExactly("defs.yaml:26:12: spine of training set 'ts' has no column 'miles' for request input 'miles' of service"
            + " 'svc' (a training set takes each request input from the spine column of the same name); expected one of date, delay,"
            + " distance, origin, lat, lon");
    assertThat(errors(DEFS.replace("request: { distance: bigint,", "request: { distance: string,")
        .replace("g.total_1d / request.distance", "g.total_1d").replace("request.distance > 1000 AND ", "")))
        .containsExactly("defs.yaml:26:12: spine column 'distance' of training set 'ts' is bigint, but request input 'distance' of"
            + " service 'svc' is string");
    // bigint widens to double: a double input fed by a bigint column is fine
    assertThat(errors(DEFS.replace("request: { distance: bigint,", "request: { distance: double,"))).isEmpty();
  }

  @Test
  void theJavaBuilderAndTheSchemaKnowRequestInputs() {
    Project project = Project.builder("p")
        .entity(Entity.builder("airport").key("airport", DataType.STRING).build())
        .source(Source.builder("flights").timestamp("date").column("date", DataType.TIMESTAMP).column("delay", DataType.LONG)
            .column("origin", DataType.STRING).batchPath("data/flights.csv").build())
        .featureGroup(FeatureGroup.builder("g").entity("airport").source("flights").key("airport", "origin")
            .aggregation(Aggregation.of("total", "sum", "delay", "1d")).build())
        .featureService(FeatureService.builder("svc").features("g.total_1d").request("distance", DataType.LONG)
            .derived("per_mile", "g.total_1d / request.distance").build())
        .build();
    CompiledService s = PlanCompiler.compileOrThrow(project).service("svc").orElseThrow();
    assertThat(s.request()).extracting(f -> f.name() + ":" + f.type().sqlName()).containsExactly("distance:bigint");
    assertThat(s.schema().names()).containsExactly("g.total_1d", "per_mile");
    assertThat(s.evaluationSchema().names()).containsExactly("g.total_1d", "per_mile", "request.distance");
    assertThat(JsonSchemaExporter.exportPretty()).contains("\"request\"");
    List<String> names = new ArrayList<>();
    PlanJson.toJson(PlanCompiler.compileOrThrow(project)).path("feature_services").get(0).path("request").fieldNames()
        .forEachRemaining(names::add);
    assertThat(names).containsExactly("distance");
  }
}
