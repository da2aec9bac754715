package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryConfig;
import java.nio.file.Files;
import java.nio.file.Path;

/** Loading and compiling a definitions directory, and opening its registry, for commands. */
final class Projects {
  private Projects() {}

  static Path requireDirectory(Path dir) {
    if (!Files.exists(dir)) {
      throw new UserException("Cannot read definitions: " + dir + " does not exist");
    }
    if (!Files.isDirectory(dir)) {
      throw new UserException("Cannot read definitions: " + dir + " is not a directory");
    }
    return dir;
  }

  /** Loads and compiles; throws {@link DefinitionException} listing every mistake. */
  static CompiledPlan compile(Path dir) {
    requireDirectory(dir);
    return ProjectSnapshot.compile(dir);
  }

  /** False only for an embedded (SQLite) registry whose file does not exist yet. */
  static boolean registryExists(StrataConfig config) {
    String uri = config.catalogUri();
    return !uri.startsWith("jdbc:sqlite:") || Files.exists(Path.of(uri.substring("jdbc:sqlite:".length())));
  }

  static Registry openRegistry(StrataConfig config) {
    if (config.catalogUri().startsWith("jdbc:sqlite:")) {
      Path file = Path.of(config.catalogUri().substring("jdbc:sqlite:".length()));
      return Registry.open(RegistryConfig.sqlite(file));
    }
    if (!config.catalogUri().startsWith("jdbc:")) {
      throw new UserException("Cannot open registry: catalog uri " + config.redactedCatalogUri()
          + " is not a JDBC URL; the registry lives in a JDBC catalog database (jdbc:sqlite:... or jdbc:postgresql://...)");
    }
    return Registry.open(new RegistryConfig(config.catalogUri(), config.catalogUser(), config.catalogPassword()));
  }
}
