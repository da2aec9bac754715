package dev.strata.deploy;

import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledMonitor;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.Freshness;
import dev.strata.dsl.time.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The Kubernetes objects that run a compiled project in one environment and keep it current: a
 * FlinkDeployment per streamed source (Flink Kubernetes Operator); Spark Operator schedules for
 * the daily incremental backfill (through yesterday), the hourly incremental materialize of each
 * online group, the hourly ingest of the serving log and the monitors (and a one-time backfill of
 * an explicit range when the environment names one); the feature server's Deployment, Service,
 * HorizontalPodAutoscaler and ServiceMonitor, with its serving log on a shared volume
 * (PersistentVolumeClaim) that log ingest reads; a PrometheusRule of staleness alerts; and a
 * ConfigMap with the project's files that every pod mounts. The same plan and environment always
 * give the same objects in the same order.
 */
public final class ManifestRenderer {
  /** Where pods mount the project ConfigMap; the jobs' {@code --project}. */
  public static final String PROJECT_MOUNT = "/opt/strata/project";
  /** The jobs' jars inside their images (deploy/docker). */
  public static final String BATCH_JAR = "local:///opt/strata/jobs/strata-batch-jobs.jar";
  public static final String STREAM_JAR = "local:///opt/flink/usrlib/strata-streaming-jobs.jar";
  public static final String BATCH_MAIN = "dev.strata.batch.BatchJob";
  public static final String STREAM_MAIN = "dev.strata.stream.StreamJob";
  /** The Spark version of the batch job (its image and the operator's sparkVersion). */
  public static final String SPARK_VERSION = "4.1.3";

  /** Where the feature server writes its serving log and log ingest reads it: a shared (ReadWriteMany) volume. */
  public static final String SERVING_LOG_MOUNT = "/var/lib/strata/serving-log";
  /** The daily backfill, after midnight UTC: yesterday is whole. */
  static final String BACKFILL_SCHEDULE = "30 0 * * *";
  static final String MATERIALIZE_SCHEDULE = "0 * * * *";
  /** Log ingest, hourly: the server completes a log file every 5 minutes (--log-roll-seconds). */
  static final String LOG_INGEST_SCHEDULE = "20 * * * *";
  /** How long a group stays past its freshness before the alert fires: one slow job run is no page. */
  static final String STALE_FOR = "15m";
  /** The gauge the staleness alerts read: seconds since a group's data was last current, by label {@code group}. */
  public static final String STALENESS_GAUGE = "strata_group_staleness_seconds";

  private static final String SPARK_API = "sparkoperator.k8s.io/v1beta2";
  private static final String PROJECT_VOLUME = "project";
  private static final String SERVING_LOG_VOLUME = "serving-log";

  private final CompiledPlan plan;
  private final DeployEnvironment env;
  private final SortedMap<String, String> projectFiles;
  private final String prefix;

  private ManifestRenderer(CompiledPlan plan, DeployEnvironment env, SortedMap<String, String> projectFiles) {
    this.plan = plan;
    this.env = env;
    this.projectFiles = new TreeMap<>(projectFiles);
    // The project's own strata.yaml describes a developer's machine and may hold credentials: the
    // pods get one written for the environment instead, with no secret in it (those come from Secrets).
    this.projectFiles.put(ProjectLoader.CONFIG_FILE, environmentConfig(env));
    this.prefix = kubeName(plan.project());
  }

  /** strata.yaml for the pods: the environment's catalog and Kafka; Redis and credentials come from Secrets. */
  static String environmentConfig(DeployEnvironment env) {
    Map<String, Object> catalog = map("uri", env.catalog().uri(), "namespace", env.catalog().namespace());
    Map<String, Object> config = new LinkedHashMap<>();
    if (env.catalog().warehouse() != null) {
      config.put("warehouse", env.catalog().warehouse());
    }
    config.put("catalog", catalog);
    config.put("kafka", map("bootstrap_servers", env.kafkaBootstrapServers()));
    return "# strata.yaml of environment '" + env.name() + "', written by strata deploy render. Redis and the catalog\n"
        + "# credentials come from Secrets as STRATA_REDIS_URL, STRATA_CATALOG_USER and STRATA_CATALOG_PASSWORD.\n"
        + ManifestWriter.toYaml(config);
  }

  /** Renders the objects of {@code plan} in {@code env}; {@code projectDir} supplies the files of the ConfigMap. */
  public static List<Manifest> render(CompiledPlan plan, DeployEnvironment env, Path projectDir) {
    return new ManifestRenderer(plan, env, readProjectFiles(projectDir)).render();
  }

  private List<Manifest> render() {
    List<Manifest> out = new ArrayList<>();
    out.add(projectConfigMap());
    out.addAll(server());
    for (CompiledSource source : sorted(plan.sources(), CompiledSource::name)) {
      if (source.stream() != null && !onlineGroups(source.name()).isEmpty()) {
        out.add(flinkDeployment(source));
      }
    }
    // An explicit range, when the environment names one: replaces exactly those days once.
    env.batch().backfill().ifPresent(days -> {
      for (CompiledGroup g : sorted(plan.groups(), CompiledGroup::name)) {
        if (g.offline()) {
          out.add(sparkApplication("backfill-" + g.name(), List.of("backfill", g.name(), "--from", days.from().toString(),
              "--to", days.to().toString())));
        }
      }
    });
    // Every day: the days each group's current version lacks, from its first event through
    // yesterday (the job ledger knows what is done: a rerun or a late start computes only the rest).
    if (plan.groups().stream().anyMatch(CompiledGroup::offline)) {
      out.add(scheduledSparkApplication("backfill-daily", BACKFILL_SCHEDULE, List.of("backfill", "--all", "--through", "yesterday"),
          List.of()));
    }
    // Materialize is incremental (only what changed since the last run), so hourly costs little and
    // the daily backfill reaches Redis within the hour.
    for (CompiledGroup g : sorted(plan.groups(), CompiledGroup::name)) {
      if (g.online()) {
        out.add(scheduledSparkApplication("materialize-" + g.name(), MATERIALIZE_SCHEDULE, List.of("materialize", g.name()),
            List.of()));
      }
    }
    out.add(scheduledSparkApplication("log-ingest", LOG_INGEST_SCHEDULE, List.of("log", "ingest", SERVING_LOG_MOUNT),
        List.of(servingLogMount(false))));
    for (CompiledMonitor m : sorted(plan.monitors(), CompiledMonitor::name)) {
      out.add(scheduledSparkApplication("monitor-" + m.name(), everySchedule(m.everyMicros() == null ? Durations.DAY : m.everyMicros()),
          List.of("monitor", m.name()), List.of()));
    }
    out.add(stalenessRules());
    return List.copyOf(out);
  }

  // ---- the project and the environment every pod sees ----

  private Manifest projectConfigMap() {
    Map<String, Object> data = new LinkedHashMap<>();
    projectFiles.forEach((path, text) -> {
      if (data.put(configKey(path), text) != null) {
        throw new IllegalArgumentException("Cannot render the project ConfigMap: two files are both stored as key '"
            + configKey(path) + "' (ConfigMap keys cannot hold '/'); rename one of them.");
      }
    });
    return manifest("v1", "ConfigMap", projectConfigName(), "project", Map.of(), Map.of("data", data));
  }

  private String projectConfigName() {
    return prefix + "-project";
  }

  /** ConfigMap keys cannot hold '/': nested files are stored flat and mounted back at their paths. */
  private static String configKey(String path) {
    return path.replace('/', '.');
  }

  private Map<String, Object> projectVolume() {
    List<Object> items = new ArrayList<>();
    projectFiles.keySet().forEach(path -> items.add(map("key", configKey(path), "path", path)));
    return map("name", PROJECT_VOLUME, "configMap", map("name", projectConfigName(), "items", items));
  }

  private Map<String, Object> projectMount() {
    return map("name", PROJECT_VOLUME, "mountPath", PROJECT_MOUNT, "readOnly", true);
  }

  /** strata.yaml's settings for this environment, as the environment variables StrataConfig reads; secrets by reference. */
  private List<Object> strataEnv() {
    List<Object> vars = new ArrayList<>();
    vars.add(secretVar("STRATA_REDIS_URL", env.redisSecret(), env.redisSecretKey()));
    vars.add(map("name", "STRATA_CATALOG_URI", "value", env.catalog().uri()));
    vars.add(map("name", "STRATA_CATALOG_NAMESPACE", "value", env.catalog().namespace()));
    if (env.catalog().warehouse() != null) {
      vars.add(map("name", "STRATA_WAREHOUSE", "value", env.catalog().warehouse()));
    }
    if (env.catalog().secret() != null) {
      vars.add(secretVar("STRATA_CATALOG_USER", env.catalog().secret(), "user"));
      vars.add(secretVar("STRATA_CATALOG_PASSWORD", env.catalog().secret(), "password"));
    }
    vars.add(map("name", "STRATA_KAFKA_BOOTSTRAP_SERVERS", "value", env.kafkaBootstrapServers()));
    return vars;
  }

  private static Map<String, Object> secretVar(String name, String secret, String key) {
    return map("name", name, "valueFrom", map("secretKeyRef", map("name", secret, "key", key)));
  }

  // ---- the feature server ----

  private List<Manifest> server() {
    String name = prefix + "-server";
    Map<String, Object> selector = selectorLabels("server");
    List<Object> vars = strataEnv();
    if (env.server().tokenSecret() != null) {
      vars.add(secretVar("STRATA_SERVER_TOKEN", env.server().tokenSecret(), "token"));
    }
    // Liveness: the process answers; readiness: Redis answers and the serving log can write (a pod
    // whose store is down leaves the Service without being restarted).
    Map<String, Object> live = map("httpGet", map("path", "/health/live", "port", "http"), "periodSeconds", 10);
    Map<String, Object> ready = map("httpGet", map("path", "/health/ready", "port", "http"), "periodSeconds", 10);
    Map<String, Object> container = map(
        "name", "server",
        "image", env.image(DeployEnvironment.SERVER_IMAGE),
        "imagePullPolicy", env.imagePullPolicy(),
        "args", List.of("serve", PROJECT_MOUNT, "--port", String.valueOf(env.server().port()), "--log-dir", SERVING_LOG_MOUNT),
        "ports", List.of(map("name", "http", "containerPort", env.server().port(), "protocol", "TCP")),
        "env", vars,
        "readinessProbe", ready,
        "livenessProbe", merged(live, map("initialDelaySeconds", 20)),
        "resources", podResources(env.server().resources()),
        "volumeMounts", List.of(projectMount(), servingLogMount(true)));
    Map<String, Object> podSpec = map(
        "serviceAccountName", env.serviceAccount(),
        "containers", List.of(container),
        "volumes", List.of(projectVolume(), servingLogVolume()));
    // No spec.replicas: the HorizontalPodAutoscaler owns the count, and an apply would reset it.
    Manifest deployment = manifest("apps/v1", "Deployment", name, "server", Map.of(), Map.of("spec", map(
        "revisionHistoryLimit", 5,
        "strategy", map("type", "RollingUpdate", "rollingUpdate", map("maxUnavailable", 0, "maxSurge", 1)),
        "selector", map("matchLabels", selector),
        "template", map("metadata", map("labels", labels("server")), "spec", podSpec))));
    Manifest service = manifest("v1", "Service", name, "server", Map.of(), Map.of("spec", map(
        "type", "ClusterIP",
        "selector", selector,
        "ports", List.of(map("name", "http", "port", env.server().port(), "targetPort", "http", "protocol", "TCP")))));
    Manifest autoscaler = manifest("autoscaling/v2", "HorizontalPodAutoscaler", name, "server", Map.of(), Map.of("spec", map(
        "scaleTargetRef", map("apiVersion", "apps/v1", "kind", "Deployment", "name", name),
        "minReplicas", env.server().replicas(),
        "maxReplicas", env.server().maxReplicas(),
        "metrics", List.of(map("type", "Resource", "resource", map("name", "cpu",
            "target", map("type", "Utilization", "averageUtilization", env.server().targetCpuPercent())))))));
    // With a token, /metrics requires it: Prometheus sends the same secret.
    Map<String, Object> scrape = env.server().tokenSecret() == null
        ? map("port", "http", "path", "/metrics", "interval", "30s")
        : map("port", "http", "path", "/metrics", "interval", "30s", "authorization", map("type", "Bearer",
            "credentials", map("name", env.server().tokenSecret(), "key", "token")));
    Manifest monitor = manifest("monitoring.coreos.com/v1", "ServiceMonitor", name, "server", Map.of(), Map.of("spec", map(
        "selector", map("matchLabels", selector),
        "endpoints", List.of(scrape))));
    return List.of(servingLogClaim(), deployment, service, autoscaler, monitor);
  }

  /**
   * The serving log's volume: every server replica writes its own files there (instances never
   * share a file, see JsonLinesServingLog) and the hourly log ingest reads them into the
   * warehouse. ReadWriteMany, so replicas on any node and the Spark pods mount it at once.
   */
  private Manifest servingLogClaim() {
    DeployEnvironment.Server s = env.server();
    Map<String, Object> spec = map("accessModes", List.of("ReadWriteMany"),
        "resources", map("requests", map("storage", s.logSize())));
    if (s.logStorageClass() != null) {
      spec.put("storageClassName", s.logStorageClass());
    }
    return manifest("v1", "PersistentVolumeClaim", servingLogClaimName(), "server", Map.of(), Map.of("spec", spec));
  }

  private String servingLogClaimName() {
    return prefix + "-serving-log";
  }

  private Map<String, Object> servingLogVolume() {
    return map("name", SERVING_LOG_VOLUME, "persistentVolumeClaim", map("claimName", servingLogClaimName()));
  }

  private static Map<String, Object> servingLogMount(boolean write) {
    return map("name", SERVING_LOG_VOLUME, "mountPath", SERVING_LOG_MOUNT, "readOnly", !write);
  }

  private static Map<String, Object> podResources(DeployEnvironment.Resources r) {
    Map<String, Object> amount = map("cpu", r.cpu(), "memory", r.memory());
    return map("requests", amount, "limits", map("memory", r.memory())); // no CPU limit: throttling hurts latency
  }

  // ---- Flink ----

  private Manifest flinkDeployment(CompiledSource source) {
    DeployEnvironment.Stream s = env.stream();
    Map<String, Object> conf = new TreeMap<>();
    conf.put("state.backend.type", "rocksdb");
    conf.put("state.backend.incremental", "true");
    conf.put("execution.checkpointing.dir", env.objectStorePath(plan.project(), "checkpoints/" + source.name()));
    conf.put("execution.checkpointing.savepoint-dir", env.objectStorePath(plan.project(), "savepoints/" + source.name()));
    conf.put("execution.checkpointing.interval", s.checkpointInterval());
    conf.put("taskmanager.numberOfTaskSlots", String.valueOf(s.slots()));
    conf.put("kubernetes.operator.savepoint.history.max.count", "5");
    Map<String, Object> mainContainer = map(
        "name", "flink-main-container", // the operator merges this container into the JobManager and TaskManagers
        "env", strataEnv(),
        "volumeMounts", List.of(projectMount()));
    Map<String, Object> spec = map(
        "image", env.image(DeployEnvironment.FLINK_IMAGE),
        "imagePullPolicy", env.imagePullPolicy(),
        "flinkVersion", s.flinkVersion(),
        "serviceAccount", env.serviceAccount(),
        "flinkConfiguration", conf,
        "podTemplate", map("spec", map("containers", List.of(mainContainer), "volumes", List.of(projectVolume()))),
        "jobManager", map("replicas", 1, "resource", flinkResources(s.jobManager())),
        "taskManager", map("resource", flinkResources(s.taskManager())),
        "job", map(
            "jarURI", STREAM_JAR,
            "entryClass", STREAM_MAIN,
            "args", List.of("--project", PROJECT_MOUNT, "--source", source.name(),
                "--checkpoint-interval", s.checkpointInterval(), "--dead-letters", "/tmp/strata/dead-letters"),
            "parallelism", s.parallelism(),
            "upgradeMode", "savepoint",
            "state", "running"));
    return manifest("flink.apache.org/v1beta1", "FlinkDeployment", prefix + "-stream-" + kubeName(source.name()), "stream",
        Map.of("strata.dev/source", source.name()), Map.of("spec", spec));
  }

  private static Map<String, Object> flinkResources(DeployEnvironment.Resources r) {
    return map("cpu", cpuNumber(r.cpu()), "memory", r.memory());
  }

  // ---- Spark ----

  private Manifest sparkApplication(String what, List<String> jobArgs) {
    return manifest(SPARK_API, "SparkApplication", prefix + "-" + kubeName(what), componentOf(what), Map.of(),
        Map.of("spec", sparkSpec(jobArgs, map("type", "Never"), List.of())));
  }

  /** A scheduled Spark application; {@code mounts} are extra volumes (by mount) on the driver and executors. */
  private Manifest scheduledSparkApplication(String what, String cron, List<String> jobArgs, List<Map<String, Object>> mounts) {
    Map<String, Object> retry = map("type", "OnFailure", "onFailureRetries", 2, "onFailureRetryInterval", 60,
        "onSubmissionFailureRetries", 2, "onSubmissionFailureRetryInterval", 60);
    return manifest(SPARK_API, "ScheduledSparkApplication", prefix + "-" + kubeName(what), componentOf(what), Map.of(),
        Map.of("spec", map(
            "schedule", cron,
            "concurrencyPolicy", "Forbid", // a slow run is never overlapped by the next
            "successfulRunHistoryLimit", 3,
            "failedRunHistoryLimit", 3,
            "template", sparkSpec(jobArgs, retry, mounts))));
  }

  private Map<String, Object> sparkSpec(List<String> jobArgs, Map<String, Object> restartPolicy, List<Map<String, Object>> mounts) {
    List<String> args = new ArrayList<>(List.of("--project", PROJECT_MOUNT));
    args.addAll(jobArgs);
    String jvmFlags = sparkJvmFlags();
    Map<String, Object> conf = new TreeMap<>();
    conf.put("spark.driver.extraJavaOptions", jvmFlags);
    conf.put("spark.executor.extraJavaOptions", jvmFlags);
    conf.put("spark.sql.session.timeZone", "UTC");
    DeployEnvironment.Batch b = env.batch();
    return map(
        "type", "Java",
        "mode", "cluster",
        "image", env.image(DeployEnvironment.SPARK_IMAGE),
        "imagePullPolicy", env.imagePullPolicy(),
        "mainClass", BATCH_MAIN,
        "mainApplicationFile", BATCH_JAR,
        "arguments", args,
        "sparkVersion", SPARK_VERSION,
        "sparkConf", conf,
        "restartPolicy", restartPolicy,
        "volumes", mounts.isEmpty() ? List.of(projectVolume()) : List.of(projectVolume(), servingLogVolume()),
        "driver", sparkPod(b.driver(), map("serviceAccount", env.serviceAccount()), mounts),
        "executor", sparkPod(b.executor(), map("instances", b.executors()), mounts));
  }

  private Map<String, Object> sparkPod(DeployEnvironment.Resources r, Map<String, Object> extra, List<Map<String, Object>> mounts) {
    Map<String, Object> pod = map("cores", (int) Math.max(1, Math.ceil(cpuNumber(r.cpu()))), "memory", r.memory());
    pod.putAll(extra);
    pod.put("labels", labels("batch"));
    pod.put("env", strataEnv());
    List<Object> volumeMounts = new ArrayList<>(List.of(projectMount()));
    mounts.forEach(m -> volumeMounts.add(new LinkedHashMap<>(m))); // a copy per pod: a shared map would be a YAML alias
    pod.put("volumeMounts", volumeMounts);
    return pod;
  }

  // ---- alerts ----

  /**
   * One alert per feature group: {@value #STALENESS_GAUGE} above the group's freshness (its
   * {@code freshness:} or the default, {@link Freshness}) for {@value #STALE_FOR}. The offline
   * side of an offline-only group may lag a day more (the daily backfill runs through yesterday),
   * as in {@code strata status}.
   */
  private Manifest stalenessRules() {
    List<Object> rules = new ArrayList<>();
    for (CompiledGroup g : sorted(plan.groups(), CompiledGroup::name)) {
      long limit = (g.online() ? 0 : Durations.DAY) + Freshness.expectedMicros(g);
      long seconds = limit / Durations.SECOND;
      rules.add(map(
          "alert", "StrataFeatureGroupStale",
          "expr", STALENESS_GAUGE + "{group=\"" + g.name() + "\"} > " + seconds,
          "for", STALE_FOR,
          "labels", map("severity", "warning", "project", plan.project(), "group", g.name()),
          "annotations", map(
              "summary", "Feature group " + g.name() + " is stale: its data lags now by more than " + Durations.format(limit) + ".",
              "description", "strata_group_staleness_seconds is {{ $value | humanizeDuration }} for group " + g.name()
                  + " (freshness " + Durations.format(Freshness.expectedMicros(g)) + (Freshness.declared(g) ? ", declared" : ", default")
                  + "). Run 'strata status -C <project>' for what ran last and what to run next; check the "
                  + prefix + "-backfill-daily and " + prefix + "-materialize-* applications and the stream.")));
    }
    return manifest("monitoring.coreos.com/v1", "PrometheusRule", prefix + "-staleness", "alerts", Map.of(), Map.of("spec", map(
        "groups", List.of(map("name", prefix + ".staleness", "rules", rules)))));
  }

  /** The JVM flags Spark needs on Java 17 (the parent pom's spark.jvm.flags, filtered into this module). */
  public static String sparkJvmFlags() {
    try (InputStream in = ManifestRenderer.class.getResourceAsStream("spark-jvm-flags.txt")) {
      if (in == null) {
        throw new IllegalStateException("Cannot render Spark applications: spark-jvm-flags.txt is missing from the CLI jar");
      }
      return String.join(" ", Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+"))
          .filter(f -> !f.isEmpty()).toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A cron schedule for "every {@code micros}": hourly below an hour, every N hours below a day, daily above. */
  static String everySchedule(long micros) {
    if (micros <= Durations.HOUR) {
      return "0 * * * *";
    }
    if (micros < Durations.DAY && Durations.DAY % micros == 0 && micros % Durations.HOUR == 0) {
      return "0 */" + (micros / Durations.HOUR) + " * * *";
    }
    return "0 0 * * *";
  }

  private static String componentOf(String what) {
    return what.substring(0, what.indexOf('-'));
  }

  // ---- common ----

  private List<CompiledGroup> onlineGroups(String source) {
    return plan.groups().stream().filter(g -> g.online() && g.source().equals(source)).toList();
  }

  private Manifest manifest(String apiVersion, String kind, String name, String component, Map<String, String> annotations,
      Map<String, Object> rest) {
    if (name.length() > 63) {
      throw new IllegalArgumentException("Cannot render " + kind + " " + name + ": the name is longer than Kubernetes' 63 characters; "
          + "use a shorter project or definition name.");
    }
    Map<String, Object> metadata = map("name", name, "namespace", env.namespace(), "labels", labels(component));
    if (!annotations.isEmpty()) {
      metadata.put("annotations", new TreeMap<>(annotations));
    }
    Map<String, Object> body = map("apiVersion", apiVersion, "kind", kind, "metadata", metadata);
    body.putAll(rest);
    return new Manifest(kind, name, body);
  }

  private Map<String, Object> selectorLabels(String component) {
    return map("app.kubernetes.io/name", "strata", "app.kubernetes.io/instance", prefix, "app.kubernetes.io/component", component);
  }

  private Map<String, Object> labels(String component) {
    Map<String, Object> labels = new TreeMap<>(selectorLabels(component));
    labels.put("app.kubernetes.io/managed-by", "strata");
    labels.put("strata.dev/environment", env.name());
    return labels;
  }

  /** A definition name as a Kubernetes name: names are letters, digits and '_', so this is one to one. */
  static String kubeName(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static double cpuNumber(String cpu) {
    try {
      return cpu.endsWith("m") ? Double.parseDouble(cpu.substring(0, cpu.length() - 1)) / 1000 : Double.parseDouble(cpu);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Cannot read cpu '" + cpu + "': expected cores such as 2 or 500m.");
    }
  }

  private static <T> List<T> sorted(List<T> items, java.util.function.Function<T, String> name) {
    return items.stream().sorted(Comparator.comparing(name)).toList();
  }

  /** A mutable map in insertion order from key, value pairs. */
  static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) {
      m.put((String) kv[i], kv[i + 1]);
    }
    return m;
  }

  private static Map<String, Object> merged(Map<String, Object> a, Map<String, Object> b) {
    Map<String, Object> m = new LinkedHashMap<>(a);
    m.putAll(b);
    return m;
  }

  /** Every definition file (the loader's one selection rule), by path relative to the project. */
  static SortedMap<String, String> readProjectFiles(Path dir) {
    return new TreeMap<>(ProjectSnapshot.read(dir).files());
  }
}
