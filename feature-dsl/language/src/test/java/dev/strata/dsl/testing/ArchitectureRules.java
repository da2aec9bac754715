package dev.strata.dsl.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.strata.dsl.time.Window;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The import rules of docs/design.md ("Modules and the direction of dependencies"), shared by
 * every module's {@code ArchitectureTest}. Each module checks the rules that concern its own
 * packages, on its main classes only; the enforcer's {@code bannedDependencies} keeps the jars
 * off the classpath, these rules keep the imports out of the code.
 */
public final class ArchitectureRules {
  /** Packages of the engines and tools that the language and the store must never see. */
  static final String[] ENGINES_AND_TOOLS = {
    "dev.strata.batch..", "dev.strata.stream..", "dev.strata.cli..", "dev.strata.deploy..",
    "org.apache.spark..", "org.apache.flink..", "org.apache.iceberg..",
  };

  private ArchitectureRules() {}

  /**
   * The main (not test) classes of the module under test: its {@code target/classes} (Surefire
   * runs in the module's directory). Classes they use from other modules resolve from the
   * classpath, so a rule about a call into another module still sees the callee.
   */
  public static JavaClasses moduleMainClasses() {
    Path classes = Path.of("target", "classes");
    if (!Files.isDirectory(classes)) {
      throw new IllegalStateException("Cannot check the architecture: no " + classes.toAbsolutePath());
    }
    return new ClassFileImporter().importPath(classes);
  }

  /** The language is store- and engine-free: no JDBC, Redis, HTTP, engine or tool import. */
  public static ArchRule languageIsStoreAndEngineFree() {
    return noClasses().that().resideInAPackage("dev.strata.dsl..")
        .and().resideOutsideOfPackage("dev.strata.dsl.registry..")
        .should().dependOnClassesThat().resideInAnyPackage(concat(ENGINES_AND_TOOLS,
            "dev.strata.online..", "dev.strata.monitoring..", "dev.strata.config..",
            "javax.sql..", "redis.clients..", "io.javalin..", "io.micrometer..", "org.duckdb.."))
        // java.sql's Timestamp and Date are values Spark hands over; its connections are not.
        .orShould().dependOnClassesThat().belongToAnyOf(
            java.sql.Connection.class, java.sql.DriverManager.class, java.sql.Statement.class)
        .because("the semantics live in a module every engine, the store and a client can load");
  }

  /**
   * Window lengths are read only where windows are defined and compiled (time, plan) and where
   * the geometry turns them into bounds (tile): an engine asks {@code TileGeometry}.
   */
  public static ArchRule windowBoundsComeFromTheGeometry() {
    return noClasses().that().resideOutsideOfPackages(
            "dev.strata.dsl.time..", "dev.strata.dsl.plan..", "dev.strata.dsl.tile..")
        .should().callMethod(Window.class, "micros")
        .orShould().callMethod(Window.class, "defaultHopMicros")
        .because("a window bound computed twice is how batch, stream and online drift apart");
  }

  /** The online store is an engine-free library: Spark and Flink jobs both load it. */
  public static ArchRule onlineStoreIsEngineFree() {
    return noClasses().that().resideInAPackage("dev.strata.online..")
        .should().dependOnClassesThat().resideInAnyPackage(ENGINES_AND_TOOLS)
        .because("the batch and the stream job both carry the store's writer");
  }

  /**
   * The Java client (online-store-client) is what a model's JVM loads: it imports nothing of the
   * online store outside its own package (no reader, store, server or log), no Redis client, no
   * HTTP server, no metrics and no engine.
   */
  public static ArchRule onlineClientIsLight() {
    return noClasses().that().resideInAPackage("dev.strata.online.client..")
        .should().dependOnClassesThat(
            com.tngtech.archunit.base.DescribedPredicate.describe("are in dev.strata.online outside dev.strata.online.client",
                (com.tngtech.archunit.core.domain.JavaClass c) -> c.getPackageName().startsWith("dev.strata.online")
                    && !c.getPackageName().startsWith("dev.strata.online.client")))
        .orShould().dependOnClassesThat().resideInAnyPackage(concat(ENGINES_AND_TOOLS,
            "redis.clients..", "io.javalin..", "org.eclipse.jetty..", "io.micrometer..", "javax.sql.."))
        .because("a model that only fetches features over HTTP must not load Jedis, Javalin or Micrometer");
  }

  /**
   * The online core (online-store-core: layout, stores, reader, writer) knows nothing of the
   * server: no import of the server or the serving log, no HTTP server, no metrics. The Spark and
   * Flink jobs carry the core.
   */
  public static ArchRule onlineCoreHasNoServer() {
    return noClasses().that().resideInAPackage("dev.strata.online..")
        .and().resideOutsideOfPackages("dev.strata.online.server..", "dev.strata.online.log..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "dev.strata.online.server..", "dev.strata.online.log..", "io.javalin..", "org.eclipse.jetty..", "io.micrometer..")
        .because("the batch and stream jobs carry the writer, never the feature server's stack");
  }

  /** Only the online store talks to Redis: everyone else goes through KvStore / OnlineStore. */
  public static ArchRule onlyTheStoreTalksToRedis() {
    return noClasses().that().resideOutsideOfPackage("dev.strata.online..")
        .should().dependOnClassesThat().resideInAPackage("redis.clients..")
        .because("the KV store contract is the one door to the online store");
  }

  /** Batch jobs never see Flink or the stream job: Spark and Flink never share a classpath. */
  public static ArchRule batchNeverSeesFlink() {
    return noClasses().that().resideInAPackage("dev.strata.batch..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "dev.strata.stream..", "dev.strata.cli..")
        .because("Spark and Flink never share a classpath");
  }

  /** Stream jobs never see Spark or the batch jobs: Spark and Flink never share a classpath. */
  public static ArchRule streamNeverSeesSpark() {
    return noClasses().that().resideInAPackage("dev.strata.stream..")
        .should().dependOnClassesThat().resideInAnyPackage("org.apache.spark..", "dev.strata.batch..", "dev.strata.cli..")
        .because("Spark and Flink never share a classpath");
  }

  /** The CLI starts jobs as child processes and never links an engine. */
  public static ArchRule cliNeverLinksAnEngine() {
    return noClasses().that().resideInAnyPackage("dev.strata.cli..", "dev.strata.deploy..")
        .should().dependOnClassesThat().resideInAnyPackage(
            "org.apache.spark..", "org.apache.flink..", "dev.strata.batch..", "dev.strata.stream..")
        .because("jobs run from their own jars, as a user runs them with spark-submit or flink run");
  }

  /**
   * The monitoring core is what the Spark monitor job carries: no file reader (DuckDB), no
   * metrics (Micrometer), no engine, no store, no tool. Readers, the CLI and alerting sit beside
   * it in monitoring-tools and monitoring-alerts.
   */
  public static ArchRule monitoringCoreIsLight() {
    return noClasses().that().resideInAPackage("dev.strata.monitoring..")
        .should().dependOnClassesThat().resideInAnyPackage(concat(ENGINES_AND_TOOLS,
            "org.duckdb..", "io.micrometer..", "redis.clients..", "io.javalin..", "javax.sql..",
            "dev.strata.online..", "dev.strata.monitoring.io..", "dev.strata.monitoring.cli..",
            "dev.strata.monitoring.alert.."))
        .orShould().dependOnClassesThat().belongToAnyOf(
            java.sql.Connection.class, java.sql.DriverManager.class, java.sql.Statement.class)
        .because("the Spark job jar carries the monitoring core and nothing it does not use");
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
