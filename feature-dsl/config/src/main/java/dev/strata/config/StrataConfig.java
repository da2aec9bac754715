package dev.strata.config;

import static dev.strata.dsl.lang.YamlNodes.get;
import static dev.strata.dsl.lang.YamlNodes.text;

import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.lang.NameRules;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.lang.Shape;
import dev.strata.dsl.lang.Shape.Kind;
import dev.strata.dsl.lang.Shape.Obj;
import dev.strata.dsl.lang.ShapeChecker;
import dev.strata.dsl.lang.YamlDocuments;
import dev.strata.dsl.lang.YamlNodes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Where a project's data and services are: {@code strata.yaml} in the project directory, each
 * value overridable by an environment variable. Relative paths are relative to the project
 * directory. Secrets are never printed ({@link #toString()} masks them).
 *
 * <p>The warehouse is a local folder or a URI ({@code s3://bucket/path}, {@code gs://…},
 * {@code file:/…}) that Iceberg's file IO reads as it is; a URI warehouse needs a catalog of its
 * own ({@code catalog.uri}), since the embedded SQLite catalog lives in a local warehouse.
 *
 * <pre>
 * warehouse: .strata/warehouse          # STRATA_WAREHOUSE (a folder, or a URI such as s3://bucket/strata)
 * catalog:
 *   uri: jdbc:postgresql://db:5432/strata  # STRATA_CATALOG_URI (default: SQLite in the warehouse)
 *   user: strata                        # STRATA_CATALOG_USER
 *   password: secret                    # STRATA_CATALOG_PASSWORD
 *   namespace: strata                   # STRATA_CATALOG_NAMESPACE
 * redis:
 *   url: redis://127.0.0.1:6379         # STRATA_REDIS_URL
 * kafka:
 *   bootstrap_servers: 127.0.0.1:9092   # STRATA_KAFKA_BOOTSTRAP_SERVERS
 * environments:                         # for strata deploy render (deploy module); see README
 *   prod: { namespace: ..., images: ..., object_store: ..., catalog: ..., redis: ... }
 * </pre>
 */
public record StrataConfig(
    Path projectDir,
    String warehouse,
    String catalogUri,
    String catalogUser,
    String catalogPassword,
    String namespace,
    String redisUrl,
    String kafkaBootstrapServers) {

  public static final Obj SHAPE =
      Shape.object("configuration", "strata.yaml: where a project's data and services are.")
          .optional("warehouse", scalar(Kind.STRING,
              "Where tables are written: a folder (default .strata/warehouse, also home of the embedded catalog) or a URI such as s3://bucket/path."))
          .optional("catalog", Shape.object("catalog", "The Iceberg catalog; its database also holds the registry.")
              .optional("type", new Shape.Scalar(Kind.ENUM, List.of("jdbc", "rest"), "Catalog implementation (default jdbc)."))
              .optional("uri", scalar(Kind.STRING, "jdbc:sqlite:..., jdbc:postgresql://... or a REST catalog URL."))
              .optional("user", scalar(Kind.STRING, "Database user."))
              .optional("password", scalar(Kind.STRING, "Database password (prefer STRATA_CATALOG_PASSWORD)."))
              .optional("namespace", scalar(Kind.NAME, "Namespace of Strata's tables (default strata)."))
              .build())
          .optional("redis", Shape.object("redis", "The online store.")
              .optional("url", scalar(Kind.STRING, "redis://[user:password@]host:port or rediss:// for TLS."))
              .build())
          .optional("kafka", Shape.object("kafka", "The default Kafka cluster of stream sources.")
              .optional("bootstrap_servers", scalar(Kind.STRING, "host:port,..."))
              .build())
          .optional("environments", new Shape.MapOf(environmentShape(), null,
              "Deployment environments by name, for 'strata deploy render <dir> --env NAME' (Kubernetes manifests)."))
          .build();

  /**
   * One deployment environment: where the project runs on Kubernetes. Read by {@code strata
   * deploy render}; declared here so that strata.yaml is checked in one place, with positions.
   */
  private static Obj environmentShape() {
    Obj resources = Shape.object("resources", "CPU and memory of a pod.")
        .optional("cpu", scalar(Kind.STRING, "CPU cores, e.g. 1 or 500m."))
        .optional("memory", scalar(Kind.STRING, "Memory, e.g. 2Gi (pods), 2048m (Flink) or 4g (Spark)."))
        .build();
    return Shape.object("environment", "Where a project runs on Kubernetes; secrets are named, never written.")
        .required("namespace", scalar(Kind.STRING, "The Kubernetes namespace."))
        .required("images", Shape.object("images", "The images built from deploy/docker.")
            .required("registry", scalar(Kind.STRING, "Registry and path, e.g. ghcr.io/acme: images are <registry>/strata, strata-spark, strata-flink."))
            .required("tag", scalar(Kind.STRING, "The image tag, e.g. 0.1.0."))
            .optional("pull_policy", new Shape.Scalar(Kind.ENUM, List.of("Always", "IfNotPresent", "Never"), "Image pull policy (default IfNotPresent)."))
            .build())
        .optional("service_account", scalar(Kind.STRING, "Service account of the pods (default strata)."))
        .required("object_store", scalar(Kind.STRING, "Bucket URI for Flink checkpoints and savepoints, e.g. s3://acme-strata/prod."))
        .required("catalog", Shape.object("catalog", "The shared Iceberg catalog and registry database.")
            .required("uri", scalar(Kind.STRING, "jdbc:postgresql://... or a REST catalog URL."))
            .optional("namespace", scalar(Kind.NAME, "Namespace of Strata's tables (default: the project's)."))
            .optional("warehouse", scalar(Kind.STRING, "The warehouse (default: the project's)."))
            .optional("secret", scalar(Kind.STRING, "Secret with keys user and password for the catalog database."))
            .build())
        .required("redis", Shape.object("redis", "The online store.")
            .required("secret", scalar(Kind.STRING, "Secret holding the Redis URL."))
            .optional("key", scalar(Kind.STRING, "Key of the URL in the secret (default url)."))
            .build())
        .optional("kafka", Shape.object("kafka", "The Kafka cluster of stream sources.")
            .optional("bootstrap_servers", scalar(Kind.STRING, "host:port,..."))
            .build())
        .optional("server", Shape.object("server", "The feature server (strata serve).")
            .optional("replicas", scalar(Kind.INTEGER, "Fewest replicas (default 2)."))
            .optional("max_replicas", scalar(Kind.INTEGER, "Most replicas the autoscaler may run (default 10)."))
            .optional("target_cpu_percent", scalar(Kind.INTEGER, "Average CPU use the autoscaler keeps (default 70)."))
            .optional("port", scalar(Kind.INTEGER, "HTTP port (default 6566)."))
            .optional("token_secret", scalar(Kind.STRING, "Secret with key token: clients must send it as a bearer token."))
            .optional("resources", resources)
            .optional("log_storage_class", scalar(Kind.STRING,
                "Storage class of the serving log's volume; it must offer ReadWriteMany (NFS, EFS, Filestore...; default: the cluster's)."))
            .optional("log_size", scalar(Kind.STRING, "Size of the serving log's volume (default 20Gi)."))
            .build())
        .optional("stream", Shape.object("stream", "The Flink jobs (Flink Kubernetes Operator).")
            .optional("flink_version", scalar(Kind.STRING, "The operator's flinkVersion (default v1_20)."))
            .optional("parallelism", scalar(Kind.INTEGER, "Job parallelism (default 2)."))
            .optional("checkpoint_interval", scalar(Kind.DURATION, "Checkpoint interval (default 1m)."))
            .optional("jobmanager", resources)
            .optional("taskmanager", resources)
            .optional("slots", scalar(Kind.INTEGER, "Task slots per task manager (default 2)."))
            .build())
        .optional("batch", Shape.object("batch", "The Spark jobs (Spark Operator).")
            .optional("driver", resources)
            .optional("executor", resources)
            .optional("executors", scalar(Kind.INTEGER, "Executor instances (default 2)."))
            .optional("backfill", Shape.object("backfill", "The days the backfill applications compute.")
                .required("from", scalar(Kind.DATE, "First day (UTC)."))
                .required("to", scalar(Kind.DATE, "Last day (UTC), inclusive."))
                .build())
            .build())
        .build();
  }

  private static Shape.Scalar scalar(Kind kind, String description) {
    return new Shape.Scalar(kind, List.of(), description);
  }

  /** Reads {@code <dir>/strata.yaml} if present, then applies environment overrides. */
  public static StrataConfig load(Path projectDir) {
    return load(projectDir, System.getenv());
  }

  public static StrataConfig load(Path projectDir, Map<String, String> env) {
    Path dir = projectDir.toAbsolutePath().normalize();
    Path file = dir.resolve(ProjectLoader.CONFIG_FILE);
    Node root = null;
    if (Files.isRegularFile(file)) {
      root = parse(file);
    }
    String warehouse = pick(env, "STRATA_WAREHOUSE", text(root, "warehouse"), ".strata/warehouse");
    Node catalog = get(root, "catalog");
    String location;
    String uri;
    if (isUri(warehouse)) {
      location = warehouse;
      uri = pick(env, "STRATA_CATALOG_URI", text(catalog, "uri"), null);
      if (uri == null) {
        throw new IllegalArgumentException("Cannot use the warehouse " + warehouse + " with the embedded catalog: it lives "
            + "in a local warehouse folder; set catalog.uri (or STRATA_CATALOG_URI) to a PostgreSQL or REST catalog");
      }
    } else {
      Path wh = dir.resolve(warehouse).normalize();
      location = wh.toString();
      uri = pick(env, "STRATA_CATALOG_URI", text(catalog, "uri"), "jdbc:sqlite:" + wh.resolve("catalog.db"));
    }
    return new StrataConfig(
        dir,
        location,
        uri,
        pick(env, "STRATA_CATALOG_USER", text(catalog, "user"), null),
        pick(env, "STRATA_CATALOG_PASSWORD", text(catalog, "password"), null),
        namespace(pick(env, "STRATA_CATALOG_NAMESPACE", text(catalog, "namespace"), "strata")),
        pick(env, "STRATA_REDIS_URL", text(get(root, "redis"), "url"), "redis://127.0.0.1:6379"),
        pick(env, "STRATA_KAFKA_BOOTSTRAP_SERVERS", text(get(root, "kafka"), "bootstrap_servers"), "127.0.0.1:9092"));
  }

  /** Where one setting of {@link #load} came from. */
  public enum Origin {
    ENVIRONMENT, FILE, DEFAULT
  }

  /**
   * One setting as {@link #load} resolves it: its key in strata.yaml, its environment variable, where
   * its value came from, and whether the environment overrode a value the file also sets.
   */
  public record Setting(String key, String variable, Origin origin, boolean overridesFile) {}

  /** Where each setting comes from, in strata.yaml's order (for {@code strata config}). */
  public static java.util.List<Setting> settings(Path projectDir, Map<String, String> env) {
    Path file = projectDir.toAbsolutePath().normalize().resolve(ProjectLoader.CONFIG_FILE);
    Node root = Files.isRegularFile(file) ? parse(file) : null;
    Node catalog = get(root, "catalog");
    String[][] keys = {
      {"warehouse", "STRATA_WAREHOUSE", text(root, "warehouse")},
      {"catalog.uri", "STRATA_CATALOG_URI", text(catalog, "uri")},
      {"catalog.user", "STRATA_CATALOG_USER", text(catalog, "user")},
      {"catalog.password", "STRATA_CATALOG_PASSWORD", text(catalog, "password")},
      {"catalog.namespace", "STRATA_CATALOG_NAMESPACE", text(catalog, "namespace")},
      {"redis.url", "STRATA_REDIS_URL", text(get(root, "redis"), "url")},
      {"kafka.bootstrap_servers", "STRATA_KAFKA_BOOTSTRAP_SERVERS", text(get(root, "kafka"), "bootstrap_servers")},
    };
    java.util.List<Setting> out = new java.util.ArrayList<>();
    for (String[] k : keys) {
      String v = env.get(k[1]);
      boolean fromEnv = v != null && !v.isBlank();
      out.add(new Setting(k[0], k[1], fromEnv ? Origin.ENVIRONMENT : k[2] != null ? Origin.FILE : Origin.DEFAULT,
          fromEnv && k[2] != null));
    }
    return java.util.List.copyOf(out);
  }

  /** The namespace of Strata's tables; the file's is checked with a position, this also covers the environment's. */
  private static String namespace(String ns) {
    if (NameRules.RESERVED_NAMESPACES.contains(NameRules.fold(ns))) {
      throw new IllegalArgumentException("Cannot use namespace '" + ns + "' for Strata's tables: it is reserved ("
          + String.join(", ", NameRules.RESERVED_NAMESPACES.stream().sorted().toList()) + " hold training sets and rejected rows)");
    }
    return ns;
  }

  private static String pick(Map<String, String> env, String var, String fromFile, String dflt) {
    String v = env.get(var);
    if (v != null && !v.isBlank()) {
      return v;
    }
    return fromFile != null ? fromFile : dflt;
  }

  private static Node parse(Path file) {
    Diagnostics diags = new Diagnostics();
    String label = file.toString();
    Node root = null;
    String text = YamlDocuments.readFile(file, label, diags);
    List<Node> docs = text == null ? List.of() : YamlDocuments.compose(label, text, false, diags);
    if (docs.size() > 1) {
      diags.error(YamlNodes.pos(label, docs.get(1)), "strata.yaml holds one YAML document; this is a second one");
    } else if (docs.size() == 1) {
      root = docs.get(0);
      if (new ShapeChecker(label, diags).check(root, SHAPE, "strata.yaml")) {
        reservedNamespace(label, get(get(root, "catalog"), "namespace"), diags);
        for (YamlNodes.Entry env : YamlNodes.entries(label, get(root, "environments"))) {
          reservedNamespace(label, get(get(env.value(), "catalog"), "namespace"), diags);
        }
      }
    }
    if (diags.hasErrors()) {
      throw new DefinitionException(diags.sorted());
    }
    return root;
  }

  private static void reservedNamespace(String label, Node namespace, Diagnostics diags) {
    String ns = text(namespace);
    if (ns != null && NameRules.RESERVED_NAMESPACES.contains(NameRules.fold(ns))) {
      diags.error(YamlNodes.pos(label, namespace), "namespace '" + ns + "' is reserved ("
          + String.join(", ", NameRules.RESERVED_NAMESPACES.stream().sorted().toList())
          + " hold training sets and rejected rows); choose another");
    }
  }

  /** Whether a warehouse setting is a URI with a scheme (s3://…, file:/…) rather than a path. */
  static boolean isUri(String warehouse) {
    return warehouse.matches("[A-Za-z][A-Za-z0-9+.-]+:.*"); // two letters at least: C:\ is a path
  }

  /** Whether the warehouse is a URI (object storage, HDFS, file:) rather than a local folder. */
  public boolean warehouseIsUri() {
    return isUri(warehouse);
  }

  /** The warehouse as a URI, as Iceberg's catalogs take it. */
  public String warehouseUri() {
    return warehouseIsUri() ? warehouse : Path.of(warehouse).toUri().toString();
  }

  /** The local warehouse folder. */
  public Path warehousePath() {
    if (warehouseIsUri()) {
      throw new IllegalStateException("Cannot use the warehouse " + warehouse + " as a local folder: it is a URI");
    }
    return Path.of(warehouse);
  }

  /** Where rows of sources that do not fit their schema are written: {@code <warehouse>/rejects}. */
  public String rejectsLocation() {
    return warehouseIsUri() ? warehouse.replaceAll("/+$", "") + "/rejects" : warehousePath().resolve("rejects").toString();
  }

  /** The catalog URI without any password in it, for messages. */
  public String redactedCatalogUri() {
    return catalogUri.replaceAll("(?i)(password=)[^&;]*", "$1****").replaceAll("(//[^/@:]*:)[^/@]*@", "$1****@");
  }

  /** The Redis URL without its password, for messages. */
  public String redactedRedisUrl() {
    return redisUrl.replaceAll("(//[^/@:]*:)[^/@]*@", "$1****@");
  }

  @Override
  public String toString() {
    return "StrataConfig[projectDir=" + projectDir + ", warehouse=" + warehouse + ", catalogUri=" + redactedCatalogUri()
        + ", catalogUser=" + catalogUser + ", catalogPassword=" + (catalogPassword == null ? "none" : "****")
        + ", namespace=" + namespace + ", redisUrl=" + redactedRedisUrl() + ", kafka=" + kafkaBootstrapServers + "]";
  }
}
