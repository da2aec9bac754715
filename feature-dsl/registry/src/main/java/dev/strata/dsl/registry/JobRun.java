package dev.strata.dsl.registry;

import dev.strata.dsl.time.TimeRanges;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * One finished run of a job on one target (a feature group, monitor or training set) at one
 * version of that target's definition: what it covered, when, and what it wrote.
 *
 * @param runId         unique per run; recording the same id twice records it once
 * @param project       the project
 * @param job           the kind of job
 * @param target        the feature group, monitor or training set name
 * @param targetVersion the target's definition version (a group's fingerprint): coverage of one
 *                      version never counts for another
 * @param succeeded     false for a run that failed (kept for status, never counted as coverage)
 * @param coveredFrom   start of the event-time range covered, epoch microseconds (inclusive)
 * @param coveredTo     end of the range covered (exclusive); equal to coveredFrom when none
 * @param startedAt     when the run started
 * @param endedAt       when it ended
 * @param rows          rows (or tiles) written; -1 when unknown
 * @param snapshotIds   the Iceberg snapshots the run committed, in order
 * @param detail        a short JSON or text detail (watermark, drift status, lineage); may be null
 */
public record JobRun(String runId, String project, JobKind job, String target, String targetVersion,
                     boolean succeeded, long coveredFrom, long coveredTo, Instant startedAt, Instant endedAt,
                     long rows, List<Long> snapshotIds, String detail) {
  public JobRun {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(project, "project");
    Objects.requireNonNull(job, "job");
    Objects.requireNonNull(target, "target");
    Objects.requireNonNull(targetVersion, "targetVersion");
    Objects.requireNonNull(startedAt, "startedAt");
    Objects.requireNonNull(endedAt, "endedAt");
    if (coveredTo < coveredFrom) {
      throw new IllegalArgumentException("Invalid run " + runId + ": covered range ends before it starts");
    }
    snapshotIds = List.copyOf(snapshotIds);
    startedAt = startedAt.truncatedTo(ChronoUnit.MICROS); // what the ledger stores
    endedAt = endedAt.truncatedTo(ChronoUnit.MICROS);
  }

  /** The event time this run covered (empty for none). */
  public TimeRanges covered() {
    return TimeRanges.of(coveredFrom, coveredTo);
  }

  public static Builder builder(String project, JobKind job, String target, String targetVersion) {
    return new Builder(project, job, target, targetVersion);
  }

  /** Builds a run; the id is a random UUID unless set. */
  public static final class Builder {
    private String runId = UUID.randomUUID().toString();
    private final String project;
    private final JobKind job;
    private final String target;
    private final String targetVersion;
    private boolean succeeded = true;
    private long coveredFrom;
    private long coveredTo;
    private Instant startedAt;
    private Instant endedAt;
    private long rows = -1;
    private List<Long> snapshotIds = List.of();
    private String detail;

    private Builder(String project, JobKind job, String target, String targetVersion) {
      this.project = project;
      this.job = job;
      this.target = target;
      this.targetVersion = targetVersion;
    }

    public Builder runId(String id) {
      this.runId = id;
      return this;
    }

    public Builder failed() {
      this.succeeded = false;
      return this;
    }

    public Builder covered(long fromMicros, long toMicros) {
      this.coveredFrom = fromMicros;
      this.coveredTo = toMicros;
      return this;
    }

    public Builder times(Instant started, Instant ended) {
      this.startedAt = started;
      this.endedAt = ended;
      return this;
    }

    public Builder rows(long n) {
      this.rows = n;
      return this;
    }

    public Builder snapshotIds(List<Long> ids) {
      this.snapshotIds = ids;
      return this;
    }

    public Builder detail(String text) {
      this.detail = text;
      return this;
    }

    public JobRun build() {
      Instant now = Instant.now();
      return new JobRun(runId, project, job, target, targetVersion, succeeded, coveredFrom, coveredTo,
          startedAt == null ? now : startedAt, endedAt == null ? now : endedAt, rows, snapshotIds, detail);
    }
  }
}
