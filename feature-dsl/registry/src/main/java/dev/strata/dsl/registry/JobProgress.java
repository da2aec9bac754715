package dev.strata.dsl.registry;

import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.Freshness;
import dev.strata.dsl.plan.GroupProgress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reads {@link GroupProgress} from the job ledger: the one computation of "what the online store is
 * current to" that {@code strata status} and the feature server's gauges share.
 */
public final class JobProgress {
  private static final List<JobKind> GROUP_JOBS = List.of(JobKind.BACKFILL, JobKind.MATERIALIZE, JobKind.STREAM);

  private JobProgress() {}

  /**
   * The latest event time the online store holds for the group's current version: the largest
   * covered-to of its succeeded materialize and stream runs.
   */
  public static OptionalLong onlineTo(JobLedger jobs, String project, CompiledGroup group) {
    OptionalLong onlineTo = OptionalLong.empty();
    for (JobKind online : List.of(JobKind.MATERIALIZE, JobKind.STREAM)) {
      for (JobRun r : jobs.runs(project, online, group.name(), group.version())) {
        if (r.succeeded() && (onlineTo.isEmpty() || r.coveredTo() > onlineTo.getAsLong())) {
          onlineTo = OptionalLong.of(r.coveredTo());
        }
      }
    }
    return onlineTo;
  }

  /** One group's progress at its current version. */
  public static GroupProgress of(JobLedger jobs, String project, CompiledGroup group) {
    Map<String, Instant> last = new HashMap<>();
    for (JobKind job : GROUP_JOBS) {
      lastSuccess(jobs.runs(project, job, group.name(), group.version()), job, last);
    }
    return new GroupProgress(group.name(), group.online(), onlineTo(jobs, project, group),
        Freshness.expectedMicros(group), last);
  }

  /** Every group of the plan, then every monitor of the plan that has run. */
  public static List<GroupProgress> of(JobLedger jobs, CompiledPlan plan) {
    List<GroupProgress> out = new ArrayList<>();
    for (CompiledGroup g : plan.groups()) {
      out.add(of(jobs, plan.project(), g));
    }
    Map<String, Map<String, Instant>> monitors = new HashMap<>();
    for (JobRun r : jobs.latestRuns(plan.project())) {
      if (r.job() == JobKind.MONITOR && plan.monitor(r.target()).isPresent()) {
        // latestRuns holds the newest run per version only; every monitor version counts as the monitor
        lastSuccess(jobs.runs(plan.project(), JobKind.MONITOR, r.target(), r.targetVersion()), JobKind.MONITOR,
            monitors.computeIfAbsent(r.target(), t -> new HashMap<>()));
      }
    }
    monitors.forEach((name, last) -> out.add(new GroupProgress(name, false, OptionalLong.empty(), 0, last)));
    return out;
  }

  private static void lastSuccess(List<JobRun> runs, JobKind job, Map<String, Instant> into) {
    for (JobRun r : runs) {
      if (r.succeeded()) {
        into.merge(job.id(), r.endedAt(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
  }
}
