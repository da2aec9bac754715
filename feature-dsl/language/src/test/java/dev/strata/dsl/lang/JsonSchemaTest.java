package dev.strata.dsl.lang;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.plan.PlanCompiler;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * Keeps the published JSON Schema in sync with the language: the checked-in copy equals what
 * {@code strata schema} exports, the example validates against it, and the schema and the
 * checker agree on valid and invalid files.
 */
class JsonSchemaTest {
  static final Path PUBLISHED = Path.of("../../docs/strata.schema.json");
  static final Path EXAMPLE = Path.of("../../examples/flights");

  static Schema schema() {
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
        .getSchema(JsonSchemaExporter.exportPretty(), InputFormat.JSON);
  }

  static String yamlToJson(String yaml) throws IOException {
    Object data = new Load(LoadSettings.builder().build()).loadFromString(yaml);
    return new ObjectMapper().writeValueAsString(data);
  }

  static List<Error> schemaErrors(String yaml) throws IOException {
    return schema().validate(yamlToJson(yaml), InputFormat.JSON);
  }

  static boolean checkerAccepts(String yaml) {
    Diagnostics d = new Diagnostics();
    ProjectLoader.Loaded loaded = ProjectLoader.loadString("defs.yaml", yaml);
    d.addAll(loaded.diagnostics());
    return !d.hasErrors();
  }

  @Test
  void publishedSchemaIsTheExportedOne() throws IOException {
    String exported = JsonSchemaExporter.exportPretty() + "\n";
    if (!Files.exists(PUBLISHED) || !Files.readString(PUBLISHED).equals(exported)) {
      if ("true".equals(System.getProperty("strata.updateSchema"))) {
        Files.writeString(PUBLISHED, exported, StandardCharsets.UTF_8);
      }
    }
    assertThat(Files.readString(PUBLISHED))
        .as("docs/strata.schema.json is out of date: run 'mvn -pl feature-dsl test -Dtest=JsonSchemaTest -Dstrata.updateSchema=true'")
        .isEqualTo(exported);
  }

  @Test
  void exampleFilesValidateAgainstTheSchema() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLE)) {
      List<Path> defs = files.filter(p -> p.toString().endsWith(".yaml") && !p.endsWith("strata.yaml")).toList();
      assertThat(defs).isNotEmpty();
      for (Path p : defs) {
        assertThat(schemaErrors(Files.readString(p))).as(p.toString()).isEmpty();
      }
    }
    ProjectLoader.Loaded loaded = ProjectLoader.load(EXAMPLE);
    assertThat(PlanCompiler.compile(loaded.project(), loaded.diagnostics()).diagnostics().sorted()).isEmpty();
  }

  @Test
  void schemaAndCheckerAgree() throws IOException {
    String valid = """
        entities:
          airport: { keys: { airport: string }, description: An airport. }
        sources:
          flights:
            timestamp: date
            schema: { date: timestamp, delay: int }
            stream: { kafka: { topic: flights }, format: json, allowed_lateness: 2h }
        feature_groups:
          g:
            entity: airport
            source: flights
            keys: { airport: origin }
            aggregations:
              - { name: a, function: approx_percentile, input: delay, args: [0.5, 0.9], windows: [1h, lifetime], hop: 5m }
            online: true
            tags: { team: delays }
        """;
    assertThat(schemaErrors(valid)).isEmpty();
    assertThat(checkerAccepts(valid)).isTrue();

    List<String> invalid = List.of(
        valid.replace("description: An airport.", "descripton: An airport."),        // unknown key
        valid.replace("windows: [1h, lifetime]", "windows: [1 hour]"),                 // bad window
        valid.replace("function: approx_percentile", "function: median"),             // unknown function
        valid.replace("online: true", "online: 1"),                                    // wrong type
        valid.replace("keys: { airport: string }", "keys: { airport: text }"),         // unknown type
        valid.replace("  g:\n", "  3g:\n"),                                            // bad name
        valid.replace("    timestamp: date\n", ""),                                    // missing required key
        valid.replace("allowed_lateness: 2h", "allowed_lateness: soon"));              // bad duration
    for (String yaml : invalid) {
      assertThat(yaml).isNotEqualTo(valid);
      assertThat(schemaErrors(yaml)).as(yaml).isNotEmpty();
      assertThat(checkerAccepts(yaml)).as(yaml).isFalse();
    }
  }
}
