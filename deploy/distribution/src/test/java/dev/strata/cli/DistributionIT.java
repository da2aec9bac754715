package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.deploy.DeployEnvironment;
import dev.strata.deploy.ManifestRenderer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution that {@code mvn package} writes (target/strata-<version>): its layout, the
 * Dockerfiles' COPY sources in it, the images and jar paths the rendered manifests name, and its
 * launcher running without Maven. Runs after package (failsafe).
 */
class DistributionIT {
  static final Path DOCKER = Path.of("../docker");
  static Path dist;

  @TempDir Path tmp;

  @BeforeAll
  static void findDistribution() throws IOException {
    try (Stream<Path> s = Files.list(Path.of("target"))) {
      List<Path> found = s.filter(Files::isDirectory).filter(p -> p.getFileName().toString().matches("strata-\\d.*")).toList();
      assertThat(found).as("target/strata-<version>/ (built by mvn package)").hasSize(1);
      dist = found.get(0);
    }
  }

  @Test
  void theLayoutHasTheCliTheJobsAndTheExample() throws IOException {
    assertThat(dist.resolve("bin/strata")).isRegularFile().isExecutable();
    assertThat(dist.resolve("lib/strata-cli.jar")).isRegularFile();
    assertThat(dist.resolve("lib").resolve(picocliJar())).isRegularFile();
    assertThat(dist.resolve("jobs/strata-batch-jobs.jar")).isRegularFile();
    assertThat(dist.resolve("jobs/spark-classpath.txt")).isRegularFile();
    assertThat(dist.resolve("jobs/strata-streaming-jobs.jar")).isRegularFile();
    try (Stream<Path> flinkLib = Files.list(dist.resolve("jobs/flink-lib"))) {
      assertThat(flinkLib.filter(p -> p.getFileName().toString().startsWith("flink-"))).isNotEmpty();
    }
    assertThat(dist.resolve("examples/flights/features.yaml")).isRegularFile();
    assertThat(dist.resolve("examples/flights/data/flights-20k.csv")).isRegularFile();
    assertThat(dist.resolve("examples/flights/.strata")).doesNotExist();
  }

  @Test
  void everyDockerfileCopiesFilesTheDistributionHas() throws IOException {
    for (String role : List.of(DeployEnvironment.SERVER_IMAGE, DeployEnvironment.SPARK_IMAGE, DeployEnvironment.FLINK_IMAGE)) {
      Path dockerfile = DOCKER.resolve(role + ".Dockerfile");
      assertThat(dockerfile).as("the Dockerfile of image " + role).isRegularFile();
      assertThat(dist.resolve("docker").resolve(dockerfile.getFileName())).hasSameTextualContentAs(dockerfile);
      List<List<String>> copies = copies(dockerfile);
      assertThat(copies).as(dockerfile + " copies something").isNotEmpty();
      for (List<String> copy : copies) {
        for (String source : copy.subList(0, copy.size() - 1)) {
          assertThat(dist.resolve(source)).as(dockerfile + ": COPY " + source).exists();
        }
      }
    }
  }

  @Test
  void theManifestsNameWhatTheImagesHold() throws IOException {
    Map<String, String> jarInImage = Map.of(
        DeployEnvironment.SPARK_IMAGE, ManifestRenderer.BATCH_JAR,
        DeployEnvironment.FLINK_IMAGE, ManifestRenderer.STREAM_JAR);
    for (var e : jarInImage.entrySet()) {
      String path = e.getValue().substring("local://".length());
      List<String> destinations = copies(DOCKER.resolve(e.getKey() + ".Dockerfile")).stream().map(c -> c.get(c.size() - 1)).toList();
      assertThat(destinations).as(e.getKey() + ".Dockerfile").contains(path);
    }
    String server = Files.readString(DOCKER.resolve(DeployEnvironment.SERVER_IMAGE + ".Dockerfile"));
    assertThat(server).contains("ENTRYPOINT [\"/opt/strata/bin/strata\"]");
  }

  @Test
  void theSparkApplicationsGetTheJvmFlagsTheBatchJarRunsWith() throws IOException {
    // deploy takes spark.jvm.flags from the parent pom, batch-jobs from its own: they must agree.
    try (java.util.zip.ZipFile jar = new java.util.zip.ZipFile(dist.resolve("jobs/strata-batch-jobs.jar").toFile())) {
      var entry = jar.getEntry("dev/strata/batch/spark-jvm-flags.txt");
      assertThat(entry).isNotNull();
      String flags = new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.UTF_8).trim().replaceAll("\\s+", " ");
      assertThat(ManifestRenderer.sparkJvmFlags()).isEqualTo(flags);
    }
  }

  @Test
  void theLauncherRunsFromTheDistributionWithoutMaven() throws Exception {
    Path out = tmp.resolve("manifests");
    Result validate = launch("validate", "examples/flights");
    assertThat(validate.code()).as(validate.output()).isZero();
    assertThat(validate.output()).startsWith("OK: project 'flights' is valid");
    Result render = launch("deploy", "render", "examples/flights", "--env", "prod", "--out", out.toString());
    assertThat(render.code()).as(render.output()).isZero();
    assertThat(out.resolve("flinkdeployment-flights-stream-flights.yaml")).isRegularFile();
    Result missing = launch("deploy", "render", "examples/flights", "--env", "nope", "--out", out.toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.output().strip()).startsWith("strata: Cannot render environment 'nope'").doesNotContain("Exception");
  }

  record Result(int code, String output) {}

  /** Runs bin/strata in the distribution, from there, with no Maven and no checkout on its way. */
  private Result launch(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(dist.resolve("bin/strata").toAbsolutePath().toString()));
    command.addAll(Arrays.asList(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(dist.toFile()).redirectErrorStream(true);
    pb.environment().remove("STRATA_HOME");
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    Process p = pb.start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(2, TimeUnit.MINUTES)).isTrue();
    return new Result(p.exitValue(), output);
  }

  /** The COPY instructions of a Dockerfile: sources then destination (flags such as --chown dropped). */
  static List<List<String>> copies(Path dockerfile) throws IOException {
    List<List<String>> out = new ArrayList<>();
    for (String line : Files.readAllLines(dockerfile)) {
      String[] words = line.strip().split("\\s+");
      if (words.length >= 3 && words[0].equalsIgnoreCase("COPY")) {
        out.add(Arrays.stream(words).skip(1).filter(w -> !w.startsWith("--")).toList());
      }
    }
    return out;
  }

  private static String picocliJar() throws IOException {
    try (Stream<Path> s = Files.list(dist.resolve("lib"))) {
      return s.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("picocli-")).findFirst().orElse("picocli-*.jar");
    }
  }
}
