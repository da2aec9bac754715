package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.assertNoStackTrace;
import static dev.strata.cli.StrataCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code strata deploy render} end to end through the CLI. */
class DeployRenderTest {
  @TempDir Path tmp;

  @Test
  void rendersTheFlightsProdEnvironment() throws IOException {
    Path out = tmp.resolve("out");
    Run r = run("deploy", "render", StrataCliTest.EXAMPLE.toString(), "--env", "prod", "--out", out.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).startsWith("Rendered 14 objects of project 'flights' for environment 'prod' (namespace strata-prod)");
    assertThat(files(out)).hasSize(14).contains("configmap-flights-project.yaml", "flinkdeployment-flights-stream-flights.yaml",
        "deployment-flights-server.yaml", "scheduledsparkapplication-flights-monitor-delay-model-health.yaml");
    assertThat(Files.readString(out.resolve("configmap-flights-project.yaml"))).contains("strata.yaml: |", "features.yaml: |");

    // Rendering again writes the same bytes.
    String before = Files.readString(out.resolve("deployment-flights-server.yaml"));
    assertThat(run("deploy", "render", StrataCliTest.EXAMPLE.toString(), "--env", "prod", "--out", out.toString()).code()).isZero();
    assertThat(Files.readString(out.resolve("deployment-flights-server.yaml"))).isEqualTo(before);
  }

  @Test
  void removesWhatAnEarlierRenderWroteAndNoLongerExists() throws IOException {
    Path project = StrataCliTest.copyExample(tmp.resolve("flights"));
    Path out = tmp.resolve("out");
    Files.createDirectories(out);
    Files.writeString(out.resolve("sparkapplication-flights-backfill-gone.yaml"), "metadata:\n  labels:\n    app.kubernetes.io/managed-by: strata\n");
    Files.writeString(out.resolve("mine.yaml"), "kind: Secret\n");
    assertThat(run("deploy", "render", project.toString(), "--env", "prod", "--out", out.toString()).code()).isZero();
    assertThat(files(out)).doesNotContain("sparkapplication-flights-backfill-gone.yaml").contains("mine.yaml");
  }

  @Test
  void credentialsInTheProjectsStrataYamlNeverReachTheManifests() throws IOException {
    Path project = StrataCliTest.copyExample(tmp.resolve("flights"));
    String config = Files.readString(project.resolve("strata.yaml"))
        .replace("catalog:\n  namespace: strata", "catalog:\n  namespace: strata\n  user: dev\n  password: hunter2")
        .replace("url: redis://127.0.0.1:6379", "url: redis://dev:swordfish@127.0.0.1:6379");
    assertThat(config).contains("hunter2", "swordfish");
    Files.writeString(project.resolve("strata.yaml"), config);
    Path out = tmp.resolve("out");
    assertThat(run("deploy", "render", project.toString(), "--env", "prod", "--out", out.toString()).code()).isZero();
    for (String file : files(out)) {
      assertThat(Files.readString(out.resolve(file))).as(file).doesNotContain("hunter2").doesNotContain("swordfish");
    }
  }

  @Test
  void anUnknownEnvironmentIsOneSentence() {
    Run r = run("deploy", "render", StrataCliTest.EXAMPLE.toString(), "--env", "staging", "--out", tmp.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).isEqualTo("strata: Cannot render environment 'staging': "
        + StrataCliTest.EXAMPLE.resolve("strata.yaml") + " defines only prod.");
    assertNoStackTrace(r);
  }

  @Test
  void aProjectWithoutEnvironmentsSaysHowToAddOne() throws IOException {
    Path project = StrataCliTest.copyExample(tmp.resolve("flights"));
    String config = Files.readString(project.resolve("strata.yaml"));
    Files.writeString(project.resolve("strata.yaml"), config.substring(0, config.indexOf("\n# Deployment environments")) + "\n");
    Run r = run("deploy", "render", project.toString(), "--env", "prod", "--out", tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("defines no environments (add an 'environments:' section, see README).");
  }

  @Test
  void aMistakeInTheEnvironmentHasItsPosition() throws IOException {
    Path project = StrataCliTest.copyExample(tmp.resolve("flights"));
    Files.writeString(project.resolve("strata.yaml"), Files.readString(project.resolve("strata.yaml")).replace("    object_store:", "    object_stor:"));
    Run r = run("deploy", "render", project.toString(), "--env", "prod", "--out", tmp.resolve("out").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("strata.yaml:").contains("object_stor").contains("did you mean 'object_store'");
    assertNoStackTrace(r);
  }

  @Test
  void missingOptionsAreUsageErrors() {
    Run r = run("deploy", "render", StrataCliTest.EXAMPLE.toString(), "--out", tmp.toString());
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Missing required option: '--env=NAME'");
  }

  private static List<String> files(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
