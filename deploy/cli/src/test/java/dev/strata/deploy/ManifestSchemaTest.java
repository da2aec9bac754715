package dev.strata.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanCompiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests of the flights example's prod environment validate against the operators' and
 * Kubernetes' published schemas (test resources k8s-schemas/, SOURCES.md), and the schemas reject
 * a misspelled field or a wrong type: the check can fail.
 */
class ManifestSchemaTest {
  static final Path FLIGHTS = Path.of("../../examples/flights");
  static KubernetesSchemas schemas;
  static List<Manifest> manifests;

  @BeforeAll
  static void render() {
    schemas = new KubernetesSchemas();
    ProjectLoader.Loaded loaded = ProjectLoader.load(FLIGHTS);
    CompiledPlan plan = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    manifests = ManifestRenderer.render(plan, DeployEnvironment.read(FLIGHTS, "prod"), FLIGHTS);
  }

  @Test
  void everyRenderedObjectValidates() {
    assertThat(manifests.stream().map(Manifest::kind).collect(Collectors.toSet())).containsExactlyInAnyOrder(
        "ConfigMap", "PersistentVolumeClaim", "Deployment", "Service", "HorizontalPodAutoscaler", "ServiceMonitor",
        "FlinkDeployment", "ScheduledSparkApplication", "PrometheusRule");
    for (Manifest m : manifests) {
      assertThat(schemas.validate(ManifestWriter.toYaml(m))).as(m.fileName()).isEmpty();
    }
  }

  @Test
  void theFlightsExampleHasTheExpectedObjects() {
    assertThat(manifests.stream().map(Manifest::fileName)).containsExactly(
        "configmap-flights-project.yaml",
        "persistentvolumeclaim-flights-serving-log.yaml",
        "deployment-flights-server.yaml",
        "service-flights-server.yaml",
        "horizontalpodautoscaler-flights-server.yaml",
        "servicemonitor-flights-server.yaml",
        "flinkdeployment-flights-stream-flights.yaml",
        "scheduledsparkapplication-flights-backfill-daily.yaml",
        "scheduledsparkapplication-flights-materialize-destination-delays.yaml",
        "scheduledsparkapplication-flights-materialize-origin-delays.yaml",
        "scheduledsparkapplication-flights-materialize-route-delays.yaml",
        "scheduledsparkapplication-flights-log-ingest.yaml",
        "scheduledsparkapplication-flights-monitor-delay-model-health.yaml",
        "prometheusrule-flights-staleness.yaml");
    String flink = yaml("flinkdeployment-flights-stream-flights.yaml");
    assertThat(flink).contains("upgradeMode: savepoint", "state.backend.type: rocksdb",
        "execution.checkpointing.dir: s3://acme-strata/prod/flights/checkpoints/flights",
        "entryClass: dev.strata.stream.StreamJob", "jarURI: local:///opt/flink/usrlib/strata-streaming-jobs.jar");
    assertThat(yaml("scheduledsparkapplication-flights-materialize-origin-delays.yaml"))
        .contains("schedule: 0 * * * *", "mainClass: dev.strata.batch.BatchJob", "--add-opens=java.base/java.nio=ALL-UNNAMED");
    // incremental, so hourly for every group: the daily backfill reaches Redis within the hour
    assertThat(flat(yaml("scheduledsparkapplication-flights-materialize-route-delays.yaml"))).contains("schedule: 0 * * * *")
        .contains("- materialize\n- route_delays\n").doesNotContain("--full").doesNotContain("--at");
    // Secrets by reference only: the Redis URL and catalog password appear nowhere.
    for (Manifest m : manifests) {
      assertThat(ManifestWriter.toYaml(m)).doesNotContain("redis://").doesNotContain("password:");
    }
    assertThat(yaml("deployment-flights-server.yaml")).contains("secretKeyRef:", "name: strata-redis", "path: /health");
  }

  /** Issue 15 item 9: liveness and readiness apart; with a token, Prometheus sends it to /metrics. */
  @Test
  void probesAndTokenScraping() {
    String deployment = yaml("deployment-flights-server.yaml");
    assertThat(deployment).contains("path: /health/live", "path: /health/ready");
    assertThat(deployment.indexOf("path: /health/ready")).isBetween(deployment.indexOf("readinessProbe:"),
        deployment.indexOf("readinessProbe:") + 120);
    assertThat(yaml("servicemonitor-flights-server.yaml")).doesNotContain("authorization:");
    ProjectLoader.Loaded loaded = ProjectLoader.load(FLIGHTS);
    CompiledPlan plan = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    DeployEnvironment prod = DeployEnvironment.read(FLIGHTS, "prod");
    DeployEnvironment.Server s = prod.server();
    DeployEnvironment withToken = new DeployEnvironment(prod.name(), prod.namespace(), prod.imageRegistry(), prod.imageTag(),
        prod.imagePullPolicy(), prod.serviceAccount(), prod.objectStore(), prod.catalog(), prod.redisSecret(),
        prod.redisSecretKey(), prod.kafkaBootstrapServers(),
        new DeployEnvironment.Server(s.replicas(), s.maxReplicas(), s.targetCpuPercent(), s.port(), "strata-server-token",
            s.resources(), s.logStorageClass(), s.logSize()), prod.stream(), prod.batch());
    Manifest monitor = ManifestRenderer.render(plan, withToken, FLIGHTS).stream()
        .filter(m -> m.kind().equals("ServiceMonitor")).findFirst().orElseThrow();
    String text = ManifestWriter.toYaml(monitor);
    assertThat(schemas.validate(text)).isEmpty();
    assertThat(text).contains("authorization:", "type: Bearer", "name: strata-server-token", "key: token");
  }

  /** Issue 17 item 7: daily incremental jobs, a serving log that reaches the warehouse, staleness alerts. */
  @Test
  void theDeploymentKeepsItselfCurrent() {
    assertThat(flat(yaml("scheduledsparkapplication-flights-backfill-daily.yaml"))).contains("schedule: 30 0 * * *",
        "- backfill\n- --all\n- --through\n- yesterday\n", "concurrencyPolicy: Forbid");
    assertThat(manifests).noneMatch(m -> m.kind().equals("SparkApplication")); // no fixed range in the example

    // the serving log: written by every server replica to a shared volume, read hourly by log ingest
    assertThat(yaml("persistentvolumeclaim-flights-serving-log.yaml")).contains("- ReadWriteMany", "storage: 20Gi")
        .doesNotContain("storageClassName");
    String server = flat(yaml("deployment-flights-server.yaml"));
    assertThat(server).contains("- --log-dir\n- /var/lib/strata/serving-log\n", "claimName: flights-serving-log",
        "mountPath: /var/lib/strata/serving-log\nreadOnly: false\n");
    String ingest = flat(yaml("scheduledsparkapplication-flights-log-ingest.yaml"));
    assertThat(ingest).contains("schedule: 20 * * * *", "- log\n- ingest\n- /var/lib/strata/serving-log\n",
        "claimName: flights-serving-log");
    assertThat(ingest.split("mountPath: /var/lib/strata/serving-log\nreadOnly: true\n", -1))
        .as("driver and executors read the log").hasSize(3);

    // one alert per group on strata_group_staleness_seconds{group}: the smallest window clamped to
    // [1h, 1d] (origin_delays 1h; destination_delays 1d; route_delays 7d -> 1d)
    String rules = yaml("prometheusrule-flights-staleness.yaml");
    assertThat(rules).contains("expr: strata_group_staleness_seconds{group=\"origin_delays\"} > 3600\n",
        "expr: strata_group_staleness_seconds{group=\"destination_delays\"} > 86400\n",
        "expr: strata_group_staleness_seconds{group=\"route_delays\"} > 86400\n", "for: 15m", "severity: warning");
    assertThat(rules.split("- alert: StrataFeatureGroupStale", -1)).hasSize(4);
  }

  @Test
  void aDeclaredFreshnessSetsTheAlertAndAnExplicitRangeAddsAOneTimeBackfill(@TempDir Path tmp) throws IOException {
    Path project = tmp.resolve("flights");
    try (Stream<Path> files = Files.list(FLIGHTS)) {
      Files.createDirectories(project);
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Files.copy(f, project.resolve(f.getFileName()));
      }
    }
    Path features = project.resolve("features.yaml");
    Files.writeString(features, Files.readString(features).replaceFirst("(    ttl: 30d\n)", "$1    freshness: 6h\n"));
    Path yaml = project.resolve("strata.yaml");
    Files.writeString(yaml, Files.readString(yaml)
        .replace("      executor: { cpu: \"2\", memory: 8g }\n",
            "      executor: { cpu: \"2\", memory: 8g }\n      backfill: { from: 2001-01-01, to: 2001-03-31 }\n")
        .replace("      replicas: 2\n", "      replicas: 2\n      log_storage_class: efs\n      log_size: 100Gi\n"));
    ProjectLoader.Loaded loaded = ProjectLoader.load(project);
    CompiledPlan plan = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    List<Manifest> rendered = ManifestRenderer.render(plan, DeployEnvironment.read(project, "prod"), project);
    for (Manifest m : rendered) {
      assertThat(schemas.validate(ManifestWriter.toYaml(m))).as(m.fileName()).isEmpty();
    }
    Map<String, String> byFile = rendered.stream().collect(Collectors.toMap(Manifest::fileName, ManifestWriter::toYaml));
    assertThat(byFile.get("prometheusrule-flights-staleness.yaml"))
        .contains("expr: strata_group_staleness_seconds{group=\"origin_delays\"} > 21600\n", "freshness 6h, declared");
    assertThat(byFile.get("persistentvolumeclaim-flights-serving-log.yaml")).contains("storageClassName: efs", "storage: 100Gi");
    assertThat(byFile.get("sparkapplication-flights-backfill-origin-delays.yaml"))
        .contains("- backfill\n", "- origin_delays\n", "- '2001-01-01'", "- '2001-03-31'");
    assertThat(byFile).containsKey("scheduledsparkapplication-flights-backfill-daily.yaml");
  }

  @Test
  void misspelledFieldsAreRejected() {
    assertRejected("deployment-flights-server.yaml", "  revisionHistoryLimit: 5\n", "  revisionHistoryLimits: 5\n");
    assertRejected("service-flights-server.yaml", "targetPort: http", "targetport: http");
    assertRejected("horizontalpodautoscaler-flights-server.yaml", "maxReplicas:", "maxReplica:");
    assertRejected("configmap-flights-project.yaml", "\ndata:\n", "\ndatas:\n");
    assertRejected("servicemonitor-flights-server.yaml", "interval: 30s", "intervall: 30s");
    assertRejected("flinkdeployment-flights-stream-flights.yaml", "jarURI:", "jarUri:");
    assertRejected("scheduledsparkapplication-flights-backfill-daily.yaml", "mainClass:", "mainClas:");
    assertRejected("persistentvolumeclaim-flights-serving-log.yaml", "accessModes:", "accessMode:");
    assertRejected("prometheusrule-flights-staleness.yaml", "  - alert: StrataFeatureGroupStale", "  - alarm: StrataFeatureGroupStale");
    assertRejected("scheduledsparkapplication-flights-monitor-delay-model-health.yaml", "concurrencyPolicy:", "concurencyPolicy:");
  }

  @Test
  void wrongTypesAndValuesAreRejected() {
    assertRejected("deployment-flights-server.yaml", "  revisionHistoryLimit: 5\n", "  revisionHistoryLimit: five\n");
    assertRejected("deployment-flights-server.yaml", "containerPort: 6566", "containerPort: http");
    assertRejected("horizontalpodautoscaler-flights-server.yaml", "averageUtilization: 70", "averageUtilization: seventy");
    assertRejected("flinkdeployment-flights-stream-flights.yaml", "upgradeMode: savepoint", "upgradeMode: checkpoint");
    assertRejected("flinkdeployment-flights-stream-flights.yaml", "parallelism: 2", "parallelism: '2'");
    assertRejected("scheduledsparkapplication-flights-backfill-daily.yaml", "type: Java", "type: Kotlin");
    assertRejected("prometheusrule-flights-staleness.yaml", "  groups:\n", "  groups: {}\n  x:\n");
    assertRejected("persistentvolumeclaim-flights-serving-log.yaml", "- ReadWriteMany\n", "  x: ReadWriteMany\n");
    assertRejected("scheduledsparkapplication-flights-materialize-origin-delays.yaml", "instances: 4", "instances: 0");
    assertRejected("servicemonitor-flights-server.yaml", "  endpoints:\n", "  endpoints: {}\n  x:\n");
  }

  @Test
  void aKindWithoutPublishedSchemaIsReported() {
    assertThat(schemas.validate("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n")).containsExactly("no published schema for v1/Pod");
  }

  @Test
  void renderingIsDeterministic() {
    ProjectLoader.Loaded loaded = ProjectLoader.load(FLIGHTS);
    CompiledPlan plan = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    List<Manifest> again = ManifestRenderer.render(plan, DeployEnvironment.read(FLIGHTS, "prod"), FLIGHTS);
    assertThat(again.stream().map(ManifestWriter::toYaml).toList())
        .isEqualTo(manifests.stream().map(ManifestWriter::toYaml).toList());
  }

  @Test
  void schedulesFollowHops() {
    assertThat(ManifestRenderer.everySchedule(60_000_000L)).isEqualTo("0 * * * *");
    assertThat(ManifestRenderer.everySchedule(6 * 3_600_000_000L)).isEqualTo("0 */6 * * *");
    assertThat(ManifestRenderer.everySchedule(24 * 3_600_000_000L)).isEqualTo("0 0 * * *");
    assertThat(ManifestRenderer.everySchedule(7 * 24 * 3_600_000_000L)).isEqualTo("0 0 * * *");
  }

  @Test
  void environmentPreconditionsSayWhy() {
    assertThatThrownBy(() -> DeployEnvironment.read(FLIGHTS, "staging"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot render environment 'staging': " + FLIGHTS.resolve("strata.yaml") + " defines only prod.");
    DeployEnvironment prod = DeployEnvironment.read(FLIGHTS, "prod");
    assertThatThrownBy(() -> new DeployEnvironment("x", "Not_A_Name", "r", "t", "IfNotPresent", "sa", "s3://b", prod.catalog(),
        "s", "url", "k:9092", prod.server(), prod.stream(), prod.batch()))
        .hasMessageStartingWith("Cannot use environment 'x': namespace 'Not_A_Name' is not a Kubernetes name");
    assertThatThrownBy(() -> new DeployEnvironment("x", "ns", "r", "t", "IfNotPresent", "sa", "s3://b",
        new DeployEnvironment.Catalog("jdbc:sqlite:/tmp/c.db", "strata", null, null),
        "s", "url", "k:9092", prod.server(), prod.stream(), prod.batch()))
        .hasMessageContaining("embedded SQLite file, which pods cannot share");
  }

  /** The YAML with each line's indentation removed: lists read the same at any depth. */
  private static String flat(String yaml) {
    return yaml.lines().map(String::strip).collect(Collectors.joining("\n", "", "\n"));
  }

  private static String yaml(String fileName) {
    return manifests.stream().filter(m -> m.fileName().equals(fileName)).map(ManifestWriter::toYaml).findFirst().orElseThrow();
  }

  private static void assertRejected(String fileName, String from, String to) {
    String good = yaml(fileName);
    assertThat(good).as(fileName).contains(from);
    assertThat(schemas.validate(good)).as(fileName).isEmpty();
    assertThat(schemas.validate(good.replace(from, to))).as(fileName + " with '" + to.strip() + "'").isNotEmpty();
  }

}
