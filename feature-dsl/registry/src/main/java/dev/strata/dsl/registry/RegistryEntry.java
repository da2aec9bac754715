package dev.strata.dsl.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * One recorded version of a project's compiled plan.
 *
 * @param project   the project name
 * @param version   the version number, 1 for the first apply, then latest + 1
 * @param appliedAt when the version was recorded (microsecond precision)
 * @param appliedBy who recorded it (may be null)
 * @param planHash  the hash of the compiled plan, used to make apply idempotent
 * @param planJson  the compiled plan as a JSON document
 * @param message   an optional free-text message (may be null)
 */
public record RegistryEntry(String project, int version, Instant appliedAt, String appliedBy,
                            String planHash, String planJson, String message) {
  public RegistryEntry {
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(appliedAt, "appliedAt");
    Objects.requireNonNull(planHash, "planHash");
    Objects.requireNonNull(planJson, "planJson");
    if (version < 1) {
      throw new IllegalArgumentException("Invalid version: " + version + " (must be >= 1)");
    }
  }

  /** Short form: the plan JSON can be large, so it is not printed. */
  @Override
  public String toString() {
    return "RegistryEntry{project=" + project + ", version=" + version + ", appliedAt=" + appliedAt
        + ", appliedBy=" + appliedBy + ", planHash=" + planHash + ", planJson=<" + planJson.length()
        + " chars>, message=" + message + "}";
  }
}
