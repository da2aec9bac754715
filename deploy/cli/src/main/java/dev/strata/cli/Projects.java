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

  /**
   * For {@link dev.strata.dsl.plan.PlanDiff#toText(java.util.function.Function)}: the days of a
   * group's planned version that the job ledger says are already backfilled (a user may backfill
   * before applying), or empty.
   */
  static java.util.function.Function<String, java.util.Optional<String>> backfilled(Registry registry,
      dev.strata.dsl.plan.CompiledPlan plan) {
    return group -> plan.group(group).flatMap(g -> {
      dev.strata.dsl.time.TimeRanges done = registry.jobs().covered(plan.project(),
          dev.strata.dsl.registry.JobKind.BACKFILL, g.name(), g.version());
      if (done.isEmpty()) {
        return java.util.Optional.empty();
      }
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < done.rangeCount(); i++) {
        sb.append(i == 0 ? "" : ", ").append(java.time.LocalDate.ofEpochDay(done.start(i) / dev.strata.dsl.time.Durations.DAY))
            .append(" .. ").append(java.time.LocalDate.ofEpochDay(done.end(i) / dev.strata.dsl.time.Durations.DAY - 1));
      }
      return java.util.Optional.of(sb.toString());
    });
  }
}
