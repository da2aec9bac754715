package dev.strata.dsl.registry;

import java.util.List;
import java.util.Optional;

/**
 * Versioned compiled plans, stored in the catalog database (SQLite by default, PostgreSQL for a
 * team) in tables prefixed {@code strata_registry_}. Implementations are thread-safe; several
 * processes may use the same database at once.
 */
public interface Registry extends AutoCloseable {

  /**
   * Opens the registry, creating its tables if absent (idempotent).
   *
   * @throws RegistryException if the database cannot be reached or its registry schema is newer
   *     than this version of Strata understands
   */
  static Registry open(RegistryConfig config) {
    return JdbcRegistry.open(config);
  }

  /** The most recent version of a project, or empty if the project was never applied. */
  Optional<RegistryEntry> latest(String project);

  /** One version of a project, or empty if it does not exist. */
  Optional<RegistryEntry> get(String project, int version);

  /** Every version of a project, newest first; empty if the project was never applied. */
  List<RegistryEntry> history(String project);

  /** The names of all projects with at least one version, sorted. */
  List<String> projects();

  /**
   * Records a new version (latest + 1) atomically. If planHash equals the latest entry's hash,
   * records nothing and returns the latest (apply is idempotent). Two concurrent appliers never get
   * the same version (unique constraint + retry, in a transaction).
   *
   * @param project   the project name (not blank)
   * @param planJson  the compiled plan (JSON)
   * @param planHash  the plan's hash (not blank)
   * @param appliedBy who applies it (may be null)
   * @param message   a free-text message (may be null)
   * @return the recorded entry, or the unchanged latest entry if the plan is unchanged
   */
  RegistryEntry record(String project, String planJson, String planHash, String appliedBy, String message);

  /** The state of the jobs of every project in this registry: runs, coverage, claims. */
  JobLedger jobs();

  /** Releases the database connections. Further calls fail with {@link RegistryException}. */
  @Override
  void close();
}
