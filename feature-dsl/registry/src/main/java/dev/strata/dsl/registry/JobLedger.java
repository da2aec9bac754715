package dev.strata.dsl.registry;

import dev.strata.dsl.time.TimeRanges;
import java.time.Duration;
import java.util.List;

/**
 * The state of the jobs, kept beside the plans in the registry's database: which ranges of event
 * time each job has covered for each version of each target, and who is writing which range now.
 * Incremental jobs ask it what is left to do; {@code strata status} asks it what is fresh.
 *
 * <p>Guarantees: a run is durable when {@link #recordRun} returns, and recording the same run id
 * again changes nothing. Coverage counts succeeded runs of exactly the version asked for. At most one
 * unexpired claim covers any instant of a (project, job, target), across processes and hosts.
 */
public interface JobLedger {

  /** Records a finished run (idempotent by run id). */
  void recordRun(JobRun run);

  /**
   * Records the progress of a run that does not end (the stream job: one run per subtask and group
   * version, its id stable across checkpoints), replacing what an earlier call recorded under the
   * same run id: the ledger keeps one row per run, not one per checkpoint.
   */
  void recordProgress(JobRun run);

  /** The runs of one target version, newest first (by end time). */
  List<JobRun> runs(String project, JobKind job, String target, String targetVersion);

  /** The newest run of each (job, target, version) of a project, newest first. */
  List<JobRun> latestRuns(String project);

  /** The event time covered by succeeded runs of this job on this target version. */
  TimeRanges covered(String project, JobKind job, String target, String targetVersion);

  /**
   * Claims {@code [fromMicros, toMicros)} of a target for a run, for {@code lease}.
   *
   * @throws RegistryException "Cannot start ...: ..." naming the holder, when an unexpired claim of
   *     another run overlaps the range
   */
  RangeClaim claim(String project, JobKind job, String target, long fromMicros, long toMicros, String owner,
                   Duration lease);

  /** Extends a claim by {@code lease} from now. @throws RegistryException if it lapsed and was taken. */
  RangeClaim renew(RangeClaim claim, Duration lease);

  /** Gives a claim up (idempotent). */
  void release(RangeClaim claim);
}
