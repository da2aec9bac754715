package dev.strata.deploy;

import static dev.strata.dsl.lang.YamlNodes.get;
import static dev.strata.dsl.lang.YamlNodes.text;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.lang.YamlNodes;
import dev.strata.dsl.time.Durations;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * One deployment environment of a project: the {@code environments.<name>} entry of its
 * strata.yaml (shape checked by {@link StrataConfig#SHAPE}). Secrets are only named here; their
 * values stay in the cluster. Immutable; absent optional values are filled with defaults.
 */
public record DeployEnvironment(
    String name,
    String namespace,
    String imageRegistry,
    String imageTag,
    String imagePullPolicy,
    String serviceAccount,
    String objectStore,
    Catalog catalog,
    String redisSecret,
    String redisSecretKey,
    String kafkaBootstrapServers,
    Server server,
    Stream stream,
    Batch batch) {

  /** The images built from deploy/docker, by role. */
  public static final String SERVER_IMAGE = "strata";
  public static final String SPARK_IMAGE = "strata-spark";
  public static final String FLINK_IMAGE = "strata-flink";

  public record Resources(String cpu, String memory) {}

  public record Catalog(String uri, String namespace, String warehouse, String secret) {}

  /**
   * The feature server. {@code logStorageClass} (null: the cluster's default) and {@code logSize}
   * are those of the serving log's ReadWriteMany volume.
   */
  public record Server(int replicas, int maxReplicas, int targetCpuPercent, int port, String tokenSecret, Resources resources,
      String logStorageClass, String logSize) {}

  public record Stream(String flinkVersion, int parallelism, String checkpointInterval, Resources jobManager,
      Resources taskManager, int slots) {}

  public record Batch(Resources driver, Resources executor, int executors, Optional<Backfill> backfill) {}

  public record Backfill(LocalDate from, LocalDate to) {}

  public DeployEnvironment {
    check(name.matches("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?"), name,
        "its name must be a Kubernetes label value (letters, digits, '-', '_' and '.', at most 63), as it labels every object");
    check(namespace.matches("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?"), name,
        "namespace '" + namespace + "' is not a Kubernetes name (lower-case letters, digits and '-', at most 63)");
    check(objectStore.matches("[a-z][a-z0-9+.-]*://.+"), name,
        "object_store '" + objectStore + "' is not a bucket URI such as s3://bucket/prefix");
    check(!catalog.uri().startsWith("jdbc:sqlite:"), name,
        "catalog.uri is an embedded SQLite file, which pods cannot share; use jdbc:postgresql://... or a REST catalog");
    check(server.replicas() >= 1 && server.maxReplicas() >= server.replicas(), name,
        "server.max_replicas (" + server.maxReplicas() + ") must be at least server.replicas (" + server.replicas() + ") and that at least 1");
    check(stream.parallelism() >= 1 && stream.slots() >= 1 && batch.executors() >= 1, name,
        "stream.parallelism, stream.slots and batch.executors must be at least 1");
    batch.backfill().ifPresent(b -> check(!b.to().isBefore(b.from()), name,
        "batch.backfill.to (" + b.to() + ") is before batch.backfill.from (" + b.from() + ")"));
  }

  private static void check(boolean ok, String env, String why) {
    if (!ok) {
      throw new IllegalArgumentException("Cannot use environment '" + env + "': " + why + ".");
    }
  }

  /** The image of a role, e.g. {@code ghcr.io/acme/strata-spark:0.1.0}. */
  public String image(String role) {
    return imageRegistry.replaceAll("/+$", "") + "/" + role + ":" + imageTag;
  }

  /** Where Flink checkpoints and savepoints of the project go. */
  public String objectStorePath(String project, String kind) {
    return objectStore.replaceAll("/+$", "") + "/" + project + "/" + kind;
  }

  /**
   * Reads environment {@code name} from {@code <projectDir>/strata.yaml}.
   *
   * @throws IllegalArgumentException (one sentence) when there is no such environment
   */
  public static DeployEnvironment read(Path projectDir, String name) {
    StrataConfig config = StrataConfig.load(projectDir); // checks the shape, with file:line:col messages
    Path file = projectDir.resolve(ProjectLoader.CONFIG_FILE);
    Node environments = Files.isRegularFile(file) ? get(parse(file), "environments") : null;
    List<String> known = YamlNodes.entries(file.toString(), environments).stream().map(YamlNodes.Entry::key).sorted().toList();
    Node env = get(environments, name);
    if (env == null) {
      throw new IllegalArgumentException("Cannot render environment '" + name + "': " + file + " defines "
          + (known.isEmpty() ? "no environments (add an 'environments:' section, see README)" : "only " + String.join(", ", known)) + ".");
    }
    Node images = get(env, "images");
    Node catalog = get(env, "catalog");
    Node redis = get(env, "redis");
    Node server = get(env, "server");
    Node stream = get(env, "stream");
    Node batch = get(env, "batch");
    Node backfill = get(batch, "backfill");
    return new DeployEnvironment(
        name,
        text(env, "namespace"),
        text(images, "registry"),
        text(images, "tag"),
        or(text(images, "pull_policy"), "IfNotPresent"),
        or(text(env, "service_account"), "strata"),
        text(env, "object_store"),
        new Catalog(text(catalog, "uri"), or(text(catalog, "namespace"), config.namespace()), text(catalog, "warehouse"),
            text(catalog, "secret")),
        text(redis, "secret"),
        or(text(redis, "key"), "url"),
        or(text(get(env, "kafka"), "bootstrap_servers"), config.kafkaBootstrapServers()),
        new Server(
            integer(server, "replicas", 2),
            integer(server, "max_replicas", 10),
            integer(server, "target_cpu_percent", 70),
            integer(server, "port", 6566),
            text(server, "token_secret"),
            resources(get(server, "resources"), "1", "2Gi"),
            text(server, "log_storage_class"),
            or(text(server, "log_size"), "20Gi")),
        new Stream(
            or(text(stream, "flink_version"), "v1_20"),
            integer(stream, "parallelism", 2),
            Durations.format(Durations.parseMicros(or(text(stream, "checkpoint_interval"), "1m"))),
            resources(get(stream, "jobmanager"), "1", "2048m"),
            resources(get(stream, "taskmanager"), "2", "4096m"),
            integer(stream, "slots", 2)),
        new Batch(
            resources(get(batch, "driver"), "1", "4g"),
            resources(get(batch, "executor"), "2", "8g"),
            integer(batch, "executors", 2),
            backfill == null ? Optional.empty()
                : Optional.of(new Backfill(day(name, backfill, "from"), day(name, backfill, "to")))));
  }

  private static Node parse(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return new Compose(LoadSettings.builder().setLabel(file.toString()).build()).composeReader(r).orElse(null);
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static String or(String value, String dflt) {
    return value != null ? value : dflt;
  }

  private static int integer(Node mapping, String key, int dflt) {
    String v = text(mapping, key);
    return v == null ? dflt : Integer.parseInt(v);
  }

  private static Resources resources(Node node, String cpu, String memory) {
    return new Resources(or(text(node, "cpu"), cpu), or(text(node, "memory"), memory));
  }

  private static LocalDate day(String env, Node backfill, String key) {
    String v = text(backfill, key);
    try {
      return LocalDate.parse(v);
    } catch (DateTimeParseException e) {
      throw new IllegalArgumentException("Cannot use environment '" + env + "': batch.backfill." + key
          + " must be a day such as 2001-01-01, got '" + v + "'.");
    }
  }
}
