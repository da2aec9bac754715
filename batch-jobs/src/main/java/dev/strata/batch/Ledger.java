package dev.strata.batch;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobLedger;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.RangeClaim;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryConfig;
import dev.strata.dsl.registry.RegistryException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The batch jobs' side of the job ledger: a run claims its range, runs, records what it covered
 * (or that it failed) and releases the claim. The claim's lease is renewed while the run lasts, so
 * a killed job blocks the same range for one lease at most.
 */
final class Ledger implements AutoCloseable {
  static final Duration LEASE = Duration.ofMinutes(10);
  private static final long RENEW_EVERY_SECONDS = 120;

  private final Registry registry;
  private final String project;
  private final String owner;

  private final String catalog;

  private Ledger(Registry registry, String project, String catalog) {
    this.registry = registry;
    this.catalog = catalog;
    this.project = project;
    this.owner = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
  }

  /**
   * Opens the ledger in the project's catalog database. A catalog that is not a JDBC database (a
   * REST catalog) has no ledger: runs are then neither claimed nor recorded, and {@link #jobs()}
   * refuses, since incremental runs cannot know what is done.
   */
  static Ledger open(StrataConfig config, String project) {
    if (!config.catalogUri().startsWith("jdbc:")) {
      return new Ledger(null, project, config.redactedCatalogUri());
    }
    try {
      return new Ledger(Registry.open(new RegistryConfig(config.catalogUri(), config.catalogUser(),
          config.catalogPassword())), project, config.redactedCatalogUri());
    } catch (RegistryException e) {
      throw new JobException(e.getMessage(), e);
    }
  }

  /** True when runs are recorded (the catalog is a JDBC database). */
  boolean recording() {
    return registry != null;
  }

  JobLedger jobs() {
    if (registry == null) {
      throw new JobException("Cannot run incrementally: the job ledger lives in a JDBC catalog database, and the catalog "
          + catalog + " is not one; give --from and --to.");
    }
    return registry.jobs();
  }

  /** What a run reports when it ends well. */
  record Outcome(long rows, List<Long> snapshotIds, String detail) {}

  /**
   * Runs {@code work} under a claim of {@code [from, to)} of {@code target} and records the run.
   *
   * @throws JobException if another run holds an overlapping claim (nothing is run then)
   */
  Outcome run(JobKind job, String target, String version, long fromMicros, long toMicros, Supplier<Outcome> work) {
    if (registry == null) {
      return work.get();
    }
    RangeClaim claim;
    try {
      claim = jobs().claim(project, job, target, fromMicros, toMicros, owner, LEASE);
    } catch (RegistryException e) {
      throw new JobException(e.getMessage(), e);
    }
    ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "strata-claim-renewer");
      t.setDaemon(true);
      return t;
    });
    RangeClaim[] held = {claim};
    renewer.scheduleAtFixedRate(() -> {
      try {
        held[0] = jobs().renew(held[0], LEASE);
      } catch (RuntimeException e) {
        // the next renewal tries again; a lapse shows when another run takes the range
      }
    }, RENEW_EVERY_SECONDS, RENEW_EVERY_SECONDS, TimeUnit.SECONDS);
    Instant started = Instant.now();
    JobRun.Builder record = JobRun.builder(project, job, target, version).covered(fromMicros, toMicros);
    try {
      Outcome outcome = work.get();
      jobs().recordRun(record.times(started, Instant.now()).rows(outcome.rows()).snapshotIds(outcome.snapshotIds())
          .detail(outcome.detail()).build());
      return outcome;
    } catch (RuntimeException | Error e) {
      try {
        jobs().recordRun(record.failed().times(started, Instant.now()).detail(StrataSpark.firstLine(e)).build());
      } catch (RuntimeException ignored) {
        e.addSuppressed(ignored); // the job's own failure is the one to report
      }
      throw e;
    } finally {
      renewer.shutdownNow();
      try {
        jobs().release(held[0]);
      } catch (RuntimeException ignored) {
        // the lease lapses by itself
      }
    }
  }

  /**
   * Runs {@code work} without a claim and records the run: for jobs whose concurrent runs are
   * harmless (materialize writes are idempotent) and whose "range" is an instant reached.
   */
  Outcome runUnclaimed(JobKind job, String target, String version, long fromMicros, long toMicros,
                       Supplier<Outcome> work) {
    if (registry == null) {
      return work.get();
    }
    Instant started = Instant.now();
    JobRun.Builder record = JobRun.builder(project, job, target, version).covered(fromMicros, toMicros);
    Outcome outcome;
    try {
      outcome = work.get();
    } catch (RuntimeException | Error e) {
      try {
        jobs().recordRun(record.failed().times(started, Instant.now()).detail(StrataSpark.firstLine(e)).build());
      } catch (RuntimeException ignored) {
        e.addSuppressed(ignored);
      }
      throw e;
    }
    jobs().recordRun(record.times(started, Instant.now()).rows(outcome.rows()).snapshotIds(outcome.snapshotIds())
        .detail(outcome.detail()).build());
    return outcome;
  }

  @Override
  public void close() {
    if (registry != null) {
      registry.close();
    }
  }
}
