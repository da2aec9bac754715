package dev.strata.dsl.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.time.TimeRanges;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Behaviours every registry database must have; run against real SQLite and PostgreSQL. */
abstract class RegistryContractTest {

  /** A config pointing at a fresh, empty database (or schema) for the current test. */
  protected abstract RegistryConfig config();

  private final List<Registry> opened = new ArrayList<>();

  protected Registry open() {
    Registry registry = Registry.open(config());
    opened.add(registry);
    return registry;
  }

  @AfterEach
  void closeRegistries() {
    opened.forEach(Registry::close);
  }

  protected Connection rawConnection() throws SQLException {
    RegistryConfig c = config();
    return DriverManager.getConnection(c.jdbcUrl(), c.user(), c.password());
  }

  private static String plan(int n) {
    return "{\"features\":[{\"name\":\"f" + n + "\",\"type\":\"long\"}]}";
  }

  @Test
  void emptyRegistry() {
    Registry registry = open();
    assertThat(registry.projects()).isEmpty();
    assertThat(registry.latest("flights")).isEmpty();
    assertThat(registry.get("flights", 1)).isEmpty();
    assertThat(registry.history("flights")).isEmpty();
  }

  @Test
  void recordThenRead() {
    Registry registry = open();
    Instant before = Instant.now().truncatedTo(ChronoUnit.MICROS);
    RegistryEntry v1 = registry.record("flights", plan(1), "h1", "alice", "first apply");
    Instant after = Instant.now();

    assertThat(v1.project()).isEqualTo("flights");
    assertThat(v1.version()).isEqualTo(1);
    assertThat(v1.appliedBy()).isEqualTo("alice");
    assertThat(v1.planHash()).isEqualTo("h1");
    assertThat(v1.planJson()).isEqualTo(plan(1));
    assertThat(v1.message()).isEqualTo("first apply");
    assertThat(v1.appliedAt()).isBetween(before, after);

    assertThat(registry.latest("flights")).contains(v1);
    assertThat(registry.get("flights", 1)).contains(v1);
    assertThat(registry.get("flights", 2)).isEmpty();
    assertThat(registry.history("flights")).containsExactly(v1);
    assertThat(registry.projects()).containsExactly("flights");
  }

  @Test
  void versionsIncreaseAndHistoryIsNewestFirst() {
    Registry registry = open();
    RegistryEntry v1 = registry.record("flights", plan(1), "h1", "alice", null);
    RegistryEntry v2 = registry.record("flights", plan(2), "h2", "bob", "add f2");
    RegistryEntry v3 = registry.record("flights", plan(3), "h3", null, null);
    RegistryEntry other = registry.record("airports", plan(9), "h9", "carol", null);

    assertThat(List.of(v1.version(), v2.version(), v3.version())).containsExactly(1, 2, 3);
    assertThat(other.version()).isEqualTo(1);
    assertThat(registry.latest("flights")).contains(v3);
    assertThat(registry.get("flights", 2)).contains(v2);
    assertThat(registry.history("flights")).containsExactly(v3, v2, v1);
    assertThat(registry.history("airports")).containsExactly(other);
    assertThat(registry.projects()).containsExactly("airports", "flights");
    assertThat(v3.appliedBy()).isNull();
    assertThat(v3.message()).isNull();
  }

  @Test
  void recordingTheLatestHashAgainRecordsNothing() {
    Registry registry = open();
    RegistryEntry v1 = registry.record("flights", plan(1), "h1", "alice", "first");
    RegistryEntry again = registry.record("flights", plan(1), "h1", "bob", "second");

    assertThat(again).isEqualTo(v1);
    assertThat(registry.history("flights")).containsExactly(v1);

    // only the latest counts: going back to an older plan is a new version
    RegistryEntry v2 = registry.record("flights", plan(2), "h2", "alice", null);
    RegistryEntry v3 = registry.record("flights", plan(1), "h1", "alice", "revert");
    assertThat(v2.version()).isEqualTo(2);
    assertThat(v3.version()).isEqualTo(3);
    assertThat(registry.record("flights", plan(1), "h1", "alice", null)).isEqualTo(v3);
  }

  @Test
  void reopenReadsBack() {
    Registry first = Registry.open(config());
    RegistryEntry v1 = first.record("flights", plan(1), "h1", "alice", "one");
    RegistryEntry v2 = first.record("flights", plan(2), "h2", "alice", "two");
    first.close();

    Registry second = open();
    assertThat(second.history("flights")).containsExactly(v2, v1);
    assertThat(second.latest("flights")).contains(v2);
    assertThat(second.record("flights", plan(3), "h3", "bob", null).version()).isEqualTo(3);
  }

  @Test
  void largeAndUnicodeValuesRoundTrip() {
    Registry registry = open();
    String big = "{\"blob\":\"" + "x".repeat(2_000_000) + "\"}";
    String text = "Änderung: données «météo» — 航班 ✈";
    RegistryEntry entry = registry.record("flights ✈", big, "sha256:" + "ab".repeat(32), text, text);
    assertThat(registry.latest("flights ✈")).contains(entry);
    assertThat(registry.get("flights ✈", 1).orElseThrow().planJson()).hasSize(big.length());
  }

  @Test
  void openIsIdempotentAndRecordsSchemaVersion() throws SQLException {
    open().record("flights", plan(1), "h1", "alice", null);
    open();
    Registry third = open();
    assertThat(third.latest("flights")).isPresent();
    try (Connection conn = rawConnection(); Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT meta_key, meta_value FROM strata_registry_meta")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("schema_version");
      assertThat(rs.getString(2)).as("schema 2 added the job ledger").isEqualTo("2");
      assertThat(rs.next()).isFalse();
    }
  }

  @Test
  void aVersionOneRegistryIsMigratedKeepingItsPlans() throws SQLException {
    open().close();
    try (Connection conn = rawConnection(); Statement st = conn.createStatement()) {
      // back to exactly what Strata wrote before the job ledger existed (schema 1 had only these tables)
      st.execute("DROP TABLE strata_registry_runs");
      st.execute("DROP TABLE strata_registry_claims");
      st.execute("UPDATE strata_registry_meta SET meta_value = '1' WHERE meta_key = 'schema_version'");
      st.execute("INSERT INTO strata_registry_versions VALUES ('flights', 1, 978307200000000, 'bob', 'h1', '{}', 'old')");
    }
    Registry registry = open();
    assertThat(registry.latest("flights").orElseThrow().message()).isEqualTo("old");
    registry.jobs().recordRun(JobRun.builder("flights", JobKind.BACKFILL, "g", "v1").covered(0, 10).build());
    assertThat(registry.jobs().covered("flights", JobKind.BACKFILL, "g", "v1")).isEqualTo(dev.strata.dsl.time.TimeRanges.of(0, 10));
  }

  // ---------------------------------------------------------------- job ledger (issue 17 item 1)

  private static final long DAY = 86_400_000_000L;

  @Test
  void coverageIsTheUnionOfSucceededRunsOfThatVersionOnly() {
    JobLedger jobs = open().jobs();
    assertThat(jobs.covered("flights", JobKind.BACKFILL, "origin_delays", "v1").isEmpty()).isTrue();
    jobs.recordRun(JobRun.builder("flights", JobKind.BACKFILL, "origin_delays", "v1").covered(0, 31 * DAY)
        .rows(1200).snapshotIds(List.of(11L, 12L)).build());
    jobs.recordRun(JobRun.builder("flights", JobKind.BACKFILL, "origin_delays", "v1").covered(40 * DAY, 59 * DAY).build());
    jobs.recordRun(JobRun.builder("flights", JobKind.BACKFILL, "origin_delays", "v1").covered(31 * DAY, 40 * DAY)
        .failed().build());
    jobs.recordRun(JobRun.builder("flights", JobKind.BACKFILL, "origin_delays", "v2").covered(31 * DAY, 40 * DAY).build());
    jobs.recordRun(JobRun.builder("flights", JobKind.MATERIALIZE, "origin_delays", "v1").covered(31 * DAY, 40 * DAY).build());
    jobs.recordRun(JobRun.builder("other", JobKind.BACKFILL, "origin_delays", "v1").covered(31 * DAY, 40 * DAY).build());

    var covered = jobs.covered("flights", JobKind.BACKFILL, "origin_delays", "v1");
    assertThat(covered.ranges()).extracting(r -> r[0] / DAY, r -> r[1] / DAY)
        .containsExactly(org.assertj.core.groups.Tuple.tuple(0L, 31L), org.assertj.core.groups.Tuple.tuple(40L, 59L));
    assertThat(jobs.runs("flights", JobKind.BACKFILL, "origin_delays", "v1")).hasSize(3)
        .anySatisfy(r -> {
          assertThat(r.snapshotIds()).containsExactly(11L, 12L);
          assertThat(r.rows()).isEqualTo(1200);
        })
        .filteredOn(r -> !r.succeeded()).hasSize(1);
  }

  @Test
  void recordingARunTwiceRecordsItOnce() {
    JobLedger jobs = open().jobs();
    JobRun run = JobRun.builder("flights", JobKind.STREAM, "origin_delays", "v1").covered(0, 5)
        .detail("{\"watermark_us\": 4}").build();
    jobs.recordRun(run);
    jobs.recordRun(run);
    assertThat(jobs.runs("flights", JobKind.STREAM, "origin_delays", "v1")).containsExactly(run);
    assertThat(open().jobs().latestRuns("flights")).containsExactly(run);
  }

  @Test
  void progressReplacesTheRunsRowUnderItsId() {
    JobLedger jobs = open().jobs();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    JobRun first = JobRun.builder("flights", JobKind.STREAM, "origin_delays", "v1").runId("stream-0")
        .times(t0, t0.plusSeconds(60)).covered(0, 5).rows(10).detail("{\"watermark_us\": 4}").build();
    JobRun later = JobRun.builder("flights", JobKind.STREAM, "origin_delays", "v1").runId("stream-0")
        .times(t0, t0.plusSeconds(120)).covered(0, 9).rows(25).detail("{\"watermark_us\": 8}").build();
    JobRun other = JobRun.builder("flights", JobKind.STREAM, "origin_delays", "v1").runId("stream-1")
        .times(t0, t0.plusSeconds(90)).covered(0, 7).build();
    jobs.recordProgress(first);
    jobs.recordProgress(other);
    jobs.recordProgress(later);
    assertThat(jobs.runs("flights", JobKind.STREAM, "origin_delays", "v1")).containsExactly(later, other);
    assertThat(open().jobs().covered("flights", JobKind.STREAM, "origin_delays", "v1")).isEqualTo(TimeRanges.of(0, 9));
  }

  @Test
  void latestRunsHoldsTheNewestRunOfEachJobTargetAndVersion() {
    JobLedger jobs = open().jobs();
    Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
    JobRun old = JobRun.builder("flights", JobKind.BACKFILL, "a", "v1").times(t0, t0.plusSeconds(10)).build();
    JobRun newer = JobRun.builder("flights", JobKind.BACKFILL, "a", "v1").times(t0, t0.plusSeconds(20)).build();
    JobRun mat = JobRun.builder("flights", JobKind.MATERIALIZE, "a", "v1").times(t0, t0.plusSeconds(15)).build();
    JobRun b = JobRun.builder("flights", JobKind.BACKFILL, "b", "v1").times(t0, t0.plusSeconds(5)).build();
    for (JobRun r : List.of(old, newer, mat, b)) {
      jobs.recordRun(r);
    }
    assertThat(jobs.latestRuns("flights")).containsExactly(newer, mat, b);
  }

  @Test
  void overlappingClaimsAreRefusedUntilReleasedOrLapsed() throws InterruptedException {
    JobLedger jobs = open().jobs();
    JobLedger elsewhere = open().jobs(); // another process, as far as the database can tell
    RangeClaim jan = jobs.claim("flights", JobKind.BACKFILL, "origin_delays", 0, 31 * DAY, "host-a:1", java.time.Duration.ofMinutes(5));
    assertThatThrownBy(() -> elsewhere.claim("flights", JobKind.BACKFILL, "origin_delays", 30 * DAY, 59 * DAY, "host-b:2",
        java.time.Duration.ofMinutes(5)))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith("Cannot start the backfill of origin_delays")
        .hasMessageContaining("another run (host-a:1)");
    // disjoint ranges, other targets and other jobs do not conflict
    RangeClaim feb = elsewhere.claim("flights", JobKind.BACKFILL, "origin_delays", 31 * DAY, 59 * DAY, "host-b:2",
        java.time.Duration.ofMinutes(5));
    elsewhere.release(elsewhere.claim("flights", JobKind.BACKFILL, "route_delays", 0, 31 * DAY, "b", java.time.Duration.ofMinutes(5)));
    elsewhere.release(elsewhere.claim("flights", JobKind.MATERIALIZE, "origin_delays", 0, 31 * DAY, "b", java.time.Duration.ofMinutes(5)));

    jobs.release(jan);
    jobs.release(jan); // idempotent
    elsewhere.release(elsewhere.claim("flights", JobKind.BACKFILL, "origin_delays", 0, 31 * DAY, "host-b:3",
        java.time.Duration.ofMinutes(5)));

    // a killed run's claim lapses with its lease; renewing a lapsed, retaken claim fails
    RangeClaim dying = jobs.claim("flights", JobKind.BACKFILL, "origin_delays", 0, DAY, "host-a:9", java.time.Duration.ofMillis(200));
    Thread.sleep(400);
    RangeClaim taken = elsewhere.claim("flights", JobKind.BACKFILL, "origin_delays", 0, DAY, "host-b:4", java.time.Duration.ofMinutes(5));
    assertThatThrownBy(() -> jobs.renew(dying, java.time.Duration.ofMinutes(5)))
        .isInstanceOf(RegistryException.class).hasMessageContaining("lapsed");
    RangeClaim renewed = elsewhere.renew(taken, java.time.Duration.ofMinutes(10));
    assertThat(renewed.expiresAt()).isAfter(taken.expiresAt());
    elsewhere.release(renewed);
    elsewhere.release(feb);
  }

  @Test
  @Timeout(60)
  void concurrentClaimsOfOneRangeGrantExactlyOne() throws Exception {
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        JobLedger jobs = open().jobs();
        String owner = "worker-" + i;
        results.add(pool.submit(() -> {
          start.await();
          try {
            jobs.claim("flights", JobKind.BACKFILL, "g", 0, DAY, owner, java.time.Duration.ofMinutes(5));
            return true;
          } catch (RegistryException e) {
            assertThat(e.getMessage()).startsWith("Cannot start the backfill of g");
            return false;
          }
        }));
      }
      start.countDown();
      int granted = 0;
      for (Future<Boolean> f : results) {
        granted += f.get() ? 1 : 0;
      }
      assertThat(granted).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void refusesNewerSchemaVersion() throws SQLException {
    open().close();
    try (Connection conn = rawConnection(); Statement st = conn.createStatement()) {
      st.executeUpdate("UPDATE strata_registry_meta SET meta_value = '99' WHERE meta_key = 'schema_version'");
    }
    assertThatThrownBy(() -> Registry.open(config()))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith("Cannot open registry at " + config().redactedUrl() + ": ")
        .hasMessageContaining("schema version 99 is newer");
  }

  @Test
  void closedRegistryRefusesCalls() {
    Registry registry = Registry.open(config());
    registry.close();
    assertThatThrownBy(() -> registry.latest("flights"))
        .isInstanceOf(RegistryException.class)
        .hasMessageEndingWith(": registry is closed");
    registry.close(); // idempotent
  }

  @Test
  void invalidArgumentsAreRejected() {
    Registry registry = open();
    assertThatThrownBy(() -> registry.record(" ", plan(1), "h", null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.record("p", null, "h", null, null))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> registry.record("p", plan(1), "", null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void concurrentRecordsGetDistinctConsecutiveVersions() throws Exception {
    Registry a = open();
    Registry b = open();
    int threads = 4;
    int perThread = 10;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<List<RegistryEntry>>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int thread = t;
        Registry registry = t % 2 == 0 ? a : b;
        futures.add(pool.submit(() -> {
          start.await();
          List<RegistryEntry> mine = new ArrayList<>();
          for (int i = 0; i < perThread; i++) {
            int n = thread * 100 + i;
            mine.add(registry.record("flights", plan(n), "h" + n, "t" + thread, null));
          }
          return mine;
        }));
      }
      start.countDown();
      List<RegistryEntry> all = new ArrayList<>();
      for (Future<List<RegistryEntry>> f : futures) {
        List<RegistryEntry> mine = f.get();
        // each applier sees its own versions increase
        assertThat(mine).extracting(RegistryEntry::version).isSorted();
        all.addAll(mine);
      }
      int total = threads * perThread;
      assertThat(all).extracting(RegistryEntry::version)
          .containsExactlyInAnyOrderElementsOf(IntStream.rangeClosed(1, total).boxed().toList());
      List<RegistryEntry> history = a.history("flights");
      assertThat(history).hasSize(total);
      assertThat(history).extracting(RegistryEntry::version)
          .containsExactlyElementsOf(IntStream.rangeClosed(1, total).map(v -> total + 1 - v).boxed().toList());
      assertThat(Set.copyOf(history)).isEqualTo(Set.copyOf(all));
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void concurrentRecordsOfTheSamePlanRecordOneVersion() throws Exception {
    Registry a = open();
    Registry b = open();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<RegistryEntry>> futures = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        Registry registry = t % 2 == 0 ? a : b;
        futures.add(pool.submit(() -> {
          start.await();
          return registry.record("flights", plan(1), "same", "someone", null);
        }));
      }
      start.countDown();
      Set<RegistryEntry> results = ConcurrentHashMap.newKeySet();
      for (Future<RegistryEntry> f : futures) {
        results.add(f.get());
      }
      assertThat(results).hasSize(1);
      assertThat(results.iterator().next().version()).isEqualTo(1);
      assertThat(a.history("flights")).hasSize(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  @Timeout(value = 30, unit = TimeUnit.SECONDS)
  void concurrentOpenOfAFreshDatabaseCreatesTheSchemaOnce() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Callable<Registry>> tasks = new ArrayList<>();
      for (int t = 0; t < 4; t++) {
        tasks.add(() -> {
          start.await();
          return Registry.open(config());
        });
      }
      List<Future<Registry>> futures = tasks.stream().map(pool::submit).collect(Collectors.toList());
      start.countDown();
      for (Future<Registry> f : futures) {
        opened.add(f.get());
      }
      assertThat(opened.get(3).record("flights", plan(1), "h1", null, null).version()).isEqualTo(1);
      assertThat(opened.get(0).latest("flights")).isPresent();
    } finally {
      pool.shutdownNow();
    }
  }
}
