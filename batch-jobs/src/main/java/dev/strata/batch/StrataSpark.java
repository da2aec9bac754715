package dev.strata.batch;

import dev.strata.config.StrataConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import org.apache.spark.sql.SparkSession;

/** The Spark session of a job and the Iceberg catalog of a project, configured from strata.yaml. */
public final class StrataSpark {
  /** The Spark catalog name the jobs register the project's Iceberg catalog under. */
  public static final String DEFAULT_CATALOG = "strata";

  private StrataSpark() {}

  /**
   * The active session, or a new one. {@code master} null leaves it to spark-submit (or local[*]
   * when run with plain java).
   */
  public static SparkSession session(String master) {
    SparkSession.Builder b = SparkSession.builder().appName("strata");
    String configured = System.getProperty("spark.master");
    String m = master != null ? master : configured != null ? configured : "local[*]";
    b.master(m);
    if (m.startsWith("local")) {
      // Spark bound a non-loopback address otherwise (docs/design.md, runtime notes).
      b.config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
      b.config("spark.ui.enabled", "false");
      b.config("spark.sql.shuffle.partitions", "8");
    }
    if (System.getProperty("spark.hadoop.fs.file.impl") == null) {
      // Local files (and local warehouses) without a chmod process per file written (see the class).
      b.config("spark.hadoop.fs.file.impl", NioLocalFileSystem.class.getName());
    }
    b.config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions");
    b.config("spark.sql.session.timeZone", "UTC");
    b.config("spark.sql.datetime.java8API.enabled", "true");
    b.config("spark.sql.adaptive.enabled", "true");
    return b.getOrCreate();
  }

  /**
   * Registers the project's Iceberg catalog as {@code name} in the session, after checking that
   * the catalog database answers, and makes sure the namespace exists.
   */
  public static void registerCatalog(SparkSession spark, StrataConfig config, String name) {
    String uri = config.catalogUri();
    String prefix = "spark.sql.catalog." + name;
    if (uri.startsWith("http://") || uri.startsWith("https://")) {
      spark.conf().set(prefix, "org.apache.iceberg.spark.SparkCatalog");
      spark.conf().set(prefix + ".type", "rest");
      spark.conf().set(prefix + ".uri", uri);
      spark.conf().set(prefix + ".warehouse", config.warehouseUri());
    } else {
      checkReachable(config);
      spark.conf().set(prefix, "org.apache.iceberg.spark.SparkCatalog");
      spark.conf().set(prefix + ".type", "jdbc");
      spark.conf().set(prefix + ".uri", uri);
      spark.conf().set(prefix + ".warehouse", config.warehouseUri());
      // V1 adds view support; V0 tables are still read (docs/design.md, runtime notes).
      spark.conf().set(prefix + ".jdbc.schema-version", "V1");
      if (config.catalogUser() != null) {
        spark.conf().set(prefix + ".jdbc.user", config.catalogUser());
      }
      if (config.catalogPassword() != null) {
        spark.conf().set(prefix + ".jdbc.password", config.catalogPassword());
      }
    }
    try {
      spark.sql("CREATE NAMESPACE IF NOT EXISTS " + name + "." + quote(config.namespace()));
    } catch (RuntimeException e) {
      throw new JobException("Cannot use the catalog at " + config.redactedCatalogUri() + ": " + firstLine(e) + ".", e);
    }
  }

  private static void checkReachable(StrataConfig config) {
    String uri = config.catalogUri();
    if (uri.startsWith("jdbc:sqlite:")) {
      Path file = Path.of(uri.substring("jdbc:sqlite:".length()));
      try {
        Files.createDirectories(file.toAbsolutePath().getParent());
      } catch (Exception e) {
        throw new JobException("Cannot create the warehouse folder for " + uri + ": " + e.getMessage() + ".");
      }
      // SQLite takes an empty file for a new database: the tables' history would be lost
      java.util.Optional<String> damage = dev.strata.dsl.registry.SqliteFiles.fileOf(uri)
          .flatMap(dev.strata.dsl.registry.SqliteFiles::damage);
      if (damage.isPresent()) {
        throw new JobException("Cannot open the catalog " + file + ": " + damage.get() + ".");
      }
      if (!Files.exists(file)) {
        return; // Iceberg creates it with its tables; opening it here would leave an empty file behind
      }
    }
    Properties props = new Properties();
    if (config.catalogUser() != null) {
      props.setProperty("user", config.catalogUser());
    }
    if (config.catalogPassword() != null) {
      props.setProperty("password", config.catalogPassword());
    }
    props.setProperty("connectTimeout", "5");
    props.setProperty("loginTimeout", "5");
    try (Connection c = DriverManager.getConnection(uri, props)) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new JobException("Cannot reach the catalog at " + config.redactedCatalogUri() + ": " + firstLine(e) + ".");
    }
  }

  static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  static String firstLine(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getMessage() == null) {
      t = t.getCause();
    }
    String m = String.valueOf(t.getMessage()).strip();
    int nl = m.indexOf('\n');
    m = nl < 0 ? m : m.substring(0, nl);
    return m.endsWith(".") ? m.substring(0, m.length() - 1) : m;
  }
}
