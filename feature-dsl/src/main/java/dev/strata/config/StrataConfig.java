package dev.strata.config;

import static dev.strata.dsl.lang.YamlNodes.get;
import static dev.strata.dsl.lang.YamlNodes.text;

import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.lang.Shape;
import dev.strata.dsl.lang.Shape.Kind;
import dev.strata.dsl.lang.Shape.Obj;
import dev.strata.dsl.lang.ShapeChecker;
import dev.strata.dsl.lang.YamlNodes;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.nodes.Node;

/**
 * Where a project's data and services are: {@code strata.yaml} in the project directory, each
 * value overridable by an environment variable. Relative paths are relative to the project
 * directory. Secrets are never printed ({@link #toString()} masks them).
 *
 * <pre>
 * warehouse: .strata/warehouse          # STRATA_WAREHOUSE
 * catalog:
 *   uri: jdbc:postgresql://db:5432/strata  # STRATA_CATALOG_URI (default: SQLite in the warehouse)
 *   user: strata                        # STRATA_CATALOG_USER
 *   password: secret                    # STRATA_CATALOG_PASSWORD
 *   namespace: strata                   # STRATA_CATALOG_NAMESPACE
 * redis:
 *   url: redis://127.0.0.1:6379         # STRATA_REDIS_URL
 * kafka:
 *   bootstrap_servers: 127.0.0.1:9092   # STRATA_KAFKA_BOOTSTRAP_SERVERS
 * </pre>
 */
public record StrataConfig(
    Path projectDir,
    Path warehouse,
    String catalogUri,
    String catalogUser,
    String catalogPassword,
    String namespace,
    String redisUrl,
    String kafkaBootstrapServers) {

  public static final Obj SHAPE =
      Shape.object("configuration", "strata.yaml: where a project's data and services are.")
          .optional("warehouse", scalar(Kind.STRING, "Folder of the embedded catalog and its tables (default .strata/warehouse)."))
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
          .build();

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
    Path wh = dir.resolve(warehouse).normalize();
    String uri = pick(env, "STRATA_CATALOG_URI", text(catalog, "uri"), "jdbc:sqlite:" + wh.resolve("catalog.db"));
    return new StrataConfig(
        dir,
        wh,
        uri,
        pick(env, "STRATA_CATALOG_USER", text(catalog, "user"), null),
        pick(env, "STRATA_CATALOG_PASSWORD", text(catalog, "password"), null),
        pick(env, "STRATA_CATALOG_NAMESPACE", text(catalog, "namespace"), "strata"),
        pick(env, "STRATA_REDIS_URL", text(get(root, "redis"), "url"), "redis://127.0.0.1:6379"),
        pick(env, "STRATA_KAFKA_BOOTSTRAP_SERVERS", text(get(root, "kafka"), "bootstrap_servers"), "127.0.0.1:9092"));
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
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      Optional<Node> node = new Compose(LoadSettings.builder().setLabel(label).build()).composeReader(r);
      root = node.orElse(null);
      if (root != null && !YamlNodes.isNull(root)) {
        new ShapeChecker(label, diags).check(root, SHAPE, "strata.yaml");
      }
    } catch (MarkedYamlEngineException e) {
      SourcePosition pos = e.getProblemMark().map(m -> new SourcePosition(label, m.getLine() + 1, m.getColumn() + 1))
          .orElse(new SourcePosition(label, 1, 1));
      diags.error(pos, "invalid YAML: " + e.getProblem());
    } catch (IOException e) {
      diags.error(new SourcePosition(label, 1, 1), "cannot read file: " + e.getMessage());
    }
    if (diags.hasErrors()) {
      throw new DefinitionException(diags.sorted());
    }
    return root;
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
