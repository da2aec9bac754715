package dev.strata.online.server;

import dev.strata.dsl.plan.GroupProgress;
import dev.strata.dsl.time.Durations;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The freshness gauges: {@code strata_group_staleness_seconds{group,project}} (now minus the
 * instant the group's online values are current to, +Inf when never materialized nor streamed) and
 * {@code strata_job_last_success_timestamp_seconds{job,group,project}} (the end of the newest
 * succeeded run; for {@code job="monitor"} the {@code group} label holds the monitor's name).
 *
 * <p>Refreshed at scrape time, at most once per {@code refresh} interval: the ledger is a
 * database shared with the jobs (PostgreSQL in production) and several replicas are scraped, so
 * each scrape must not cost queries; staleness itself is computed against the clock at every
 * scrape, so it grows between refreshes as it should. When the ledger cannot be read, the last
 * values are kept (staleness keeps growing, so an alert still fires) and the failure is logged.
 */
final class FreshnessGauges {
  private static final Logger LOG = LoggerFactory.getLogger(FreshnessGauges.class);

  private final Supplier<List<GroupProgress>> source;
  private final String project;
  private final Duration refresh;
  private final Clock clock;
  private final MeterRegistry registry;
  private final Map<String, GroupProgress> latest = new ConcurrentHashMap<>();
  private final Set<String> registered = new HashSet<>(); // guarded by this
  private volatile Instant readAt = Instant.MIN;

  FreshnessGauges(MeterRegistry registry, String project, Supplier<List<GroupProgress>> source, Duration refresh,
                  Clock clock) {
    this.registry = registry;
    this.project = project;
    this.source = source;
    this.refresh = refresh;
    this.clock = clock;
  }

  /**
   * The online groups whose data is older than their freshness now (never materialized nor
   * streamed included), from the ledger as last read; refreshes it first when due.
   */
  Set<String> staleGroups() {
    refreshIfDue();
    long now = Durations.toMicros(clock.instant());
    Set<String> stale = new HashSet<>();
    for (GroupProgress p : latest.values()) {
      if (p.onlineStale(now)) {
        stale.add(p.target());
      }
    }
    return stale;
  }

  /** Reads the ledger again when the last read is older than the refresh interval; never throws. */
  void refreshIfDue() {
    if (clock.instant().isBefore(readAt.plus(refresh))) {
      return; // the common case, without the lock: every request asks
    }
    refreshLocked();
  }

  private synchronized void refreshLocked() {
    Instant now = clock.instant();
    if (now.isBefore(readAt.plus(refresh))) {
      return;
    }
    readAt = now;
    List<GroupProgress> read;
    try {
      read = source.get();
    } catch (RuntimeException e) {
      LOG.warn("Cannot refresh the freshness gauges from the job ledger: {}", e.toString(), e);
      return;
    }
    for (GroupProgress p : read) {
      latest.put(p.target(), p);
      if (p.online() && registered.add(p.target())) {
        Gauge.builder("strata_group_staleness_seconds", () -> staleness(p.target()))
            .description("Seconds between now and the instant the group's online values are current to")
            .tag("group", p.target()).tag("project", project).register(registry);
      }
      for (String job : p.lastSuccess().keySet()) {
        if (!registered.add(job + "\n" + p.target())) {
          continue;
        }
        Gauge.builder("strata_job_last_success_timestamp_seconds", () -> lastSuccess(p.target(), job))
            .description("End of the newest succeeded run of the job on the group (Unix seconds)")
            .tag("job", job).tag("group", p.target()).tag("project", project).register(registry);
      }
    }
  }

  private double staleness(String group) {
    GroupProgress p = latest.get(group);
    return p == null ? Double.NaN : p.stalenessSeconds(Durations.toMicros(clock.instant()));
  }

  private double lastSuccess(String group, String job) {
    GroupProgress p = latest.get(group);
    Instant t = p == null ? null : p.lastSuccess().get(job);
    return t == null ? Double.NaN : Durations.toMicros(t) / (double) Durations.SECOND;
  }
}
