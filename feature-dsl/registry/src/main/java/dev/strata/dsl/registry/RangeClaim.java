package dev.strata.dsl.registry;

import java.time.Instant;
import java.util.Objects;

/**
 * A lease on a range of a job's target, taken before the job writes it so that two runs of the
 * same range never write at once. It lapses at {@code expiresAt} unless renewed: a killed job
 * blocks others for one lease at most.
 */
public record RangeClaim(String claimId, String project, JobKind job, String target, long fromMicros, long toMicros,
                         String owner, Instant expiresAt) {
  public RangeClaim {
    Objects.requireNonNull(claimId, "claimId");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(owner, "owner");
    Objects.requireNonNull(expiresAt, "expiresAt");
  }
}
