package dev.strata.dsl.registry;

import dev.strata.dsl.time.TimeRanges;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The registry on a JDBC database (SQLite or PostgreSQL), sharing the database of the Iceberg
 * JdbcCatalog. Thread-safe: every operation borrows a connection from a small pool.
 *
 * <p>Schema (identical on both databases; timestamps are epoch microseconds, UTC):
 *
 * <pre>
 * CREATE TABLE strata_registry_meta (
 *   meta_key   TEXT NOT NULL PRIMARY KEY,
 *   meta_value TEXT NOT NULL)                  -- ('schema_version', '1')
 * CREATE TABLE strata_registry_versions (
 *   project       TEXT    NOT NULL,
 *   version       INTEGER NOT NULL CHECK (version > 0),
 *   applied_at_us BIGINT  NOT NULL,
 *   applied_by    TEXT,
 *   plan_hash     TEXT    NOT NULL,
 *   plan_json     TEXT    NOT NULL,
 *   message       TEXT,
 *   PRIMARY KEY (project, version))
 * -- schema version 2: the job ledger
 * CREATE TABLE strata_registry_runs (
 *   run_id TEXT NOT NULL PRIMARY KEY, project TEXT NOT NULL, job TEXT NOT NULL,
 *   target TEXT NOT NULL, target_version TEXT NOT NULL, succeeded INTEGER NOT NULL,
 *   covered_from_us BIGINT NOT NULL, covered_to_us BIGINT NOT NULL,
 *   started_at_us BIGINT NOT NULL, ended_at_us BIGINT NOT NULL, row_count BIGINT NOT NULL,
 *   snapshot_ids TEXT NOT NULL,                -- comma-separated, in commit order
 *   detail TEXT)
 * CREATE TABLE strata_registry_claims (
 *   claim_id TEXT NOT NULL PRIMARY KEY, project TEXT NOT NULL, job TEXT NOT NULL,
 *   target TEXT NOT NULL, from_us BIGINT NOT NULL, to_us BIGINT NOT NULL, owner TEXT NOT NULL,
 *   expires_at_us BIGINT NOT NULL)
 * </pre>
 */
final class JdbcRegistry implements Registry, JobLedger {
  /** The registry schema version this code writes; recorded in strata_registry_meta. */
  static final int SCHEMA_VERSION = 2;
  static final String META_TABLE = "strata_registry_meta";
  static final String VERSIONS_TABLE = "strata_registry_versions";
  static final String RUNS_TABLE = "strata_registry_runs";
  static final String CLAIMS_TABLE = "strata_registry_claims";
  static final String SCHEMA_VERSION_KEY = "schema_version";

  private static final int SQLITE_BUSY_TIMEOUT_MS = 10_000;
  private static final long RECORD_RETRY_NANOS = TimeUnit.SECONDS.toNanos(30);
  private static final int MAX_IDLE_CONNECTIONS = 4;
  /** Serializes concurrent schema creation on PostgreSQL (arbitrary constant key). */
  private static final long PG_INIT_LOCK_KEY = 0x5374726174615267L;

  private static final String COLUMNS =
      "project, version, applied_at_us, applied_by, plan_hash, plan_json, message";

  private static final List<String> CREATE_V1 = List.of(
      "CREATE TABLE IF NOT EXISTS " + VERSIONS_TABLE + " ("
          + "project TEXT NOT NULL, "
          + "version INTEGER NOT NULL CHECK (version > 0), "
          + "applied_at_us BIGINT NOT NULL, "
          + "applied_by TEXT, "
          + "plan_hash TEXT NOT NULL, "
          + "plan_json TEXT NOT NULL, "
          + "message TEXT, "
          + "PRIMARY KEY (project, version))");

  private static final List<String> CREATE_V2 = List.of(
      "CREATE TABLE IF NOT EXISTS " + RUNS_TABLE + " ("
          + "run_id TEXT NOT NULL PRIMARY KEY, project TEXT NOT NULL, job TEXT NOT NULL, "
          + "target TEXT NOT NULL, target_version TEXT NOT NULL, succeeded INTEGER NOT NULL, "
          + "covered_from_us BIGINT NOT NULL, covered_to_us BIGINT NOT NULL, "
          + "started_at_us BIGINT NOT NULL, ended_at_us BIGINT NOT NULL, row_count BIGINT NOT NULL, "
          + "snapshot_ids TEXT NOT NULL, detail TEXT)",
      "CREATE INDEX IF NOT EXISTS " + RUNS_TABLE + "_target ON " + RUNS_TABLE
          + " (project, job, target, target_version)",
      "CREATE TABLE IF NOT EXISTS " + CLAIMS_TABLE + " ("
          + "claim_id TEXT NOT NULL PRIMARY KEY, project TEXT NOT NULL, job TEXT NOT NULL, "
          + "target TEXT NOT NULL, from_us BIGINT NOT NULL, to_us BIGINT NOT NULL, owner TEXT NOT NULL, "
          + "expires_at_us BIGINT NOT NULL)");

  private static final String RUN_COLUMNS = "run_id, project, job, target, target_version, succeeded, "
      + "covered_from_us, covered_to_us, started_at_us, ended_at_us, row_count, snapshot_ids, detail";

  enum Dialect {
    SQLITE, POSTGRES;

    static Optional<Dialect> of(String jdbcUrl) {
      String url = jdbcUrl.toLowerCase(Locale.ROOT);
      if (url.startsWith("jdbc:sqlite:")) {
        return Optional.of(SQLITE);
      } else if (url.startsWith("jdbc:postgresql:")) {
        return Optional.of(POSTGRES);
      }
      return Optional.empty();
    }
  }

  @FunctionalInterface
  private interface SqlWork<T> {
    T run(Connection conn) throws SQLException;
  }

  private final RegistryConfig config;
  private final Dialect dialect;
  private final Deque<Connection> idle = new ConcurrentLinkedDeque<>();
  private volatile boolean closed = false;

  private JdbcRegistry(RegistryConfig config, Dialect dialect) {
    this.config = config;
    this.dialect = dialect;
  }

  static JdbcRegistry open(RegistryConfig config) {
    Objects.requireNonNull(config, "config");
    Dialect dialect = Dialect.of(config.jdbcUrl()).orElseThrow(() -> new RegistryException(
        "Cannot open registry at " + config.redactedUrl()
            + ": unsupported JDBC URL (expected jdbc:sqlite: or jdbc:postgresql:)"));
    if (dialect == Dialect.SQLITE) {
      createParentDirectories(config);
      // before the driver sees it: SQLite would take an empty file for a new, empty registry
      SqliteFiles.fileOf(config.jdbcUrl()).flatMap(SqliteFiles::damage).ifPresent(why -> {
        throw new RegistryException("Cannot open registry at " + config.redactedUrl() + ": " + why,
            new IOException(why));
      });
    }
    JdbcRegistry registry = new JdbcRegistry(config, dialect);
    try {
      registry.initialize();
      return registry;
    } catch (RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  // ---------------------------------------------------------------- schema

  private void initialize() {
    String action = "open registry";
    // SQLite may answer "database is locked" without waiting out busy_timeout (switching a fresh
    // file to WAL while another connection opens it): such errors are retried, as in record().
    long deadline = System.nanoTime() + RECORD_RETRY_NANOS;
    for (int attempt = 1; ; attempt++) {
      try {
        initializeOnce(action);
        return;
      } catch (SQLException e) {
        if (!isRetryable(e) || System.nanoTime() > deadline) {
          throw failure(action, e);
        }
        backoff(attempt);
      }
    }
  }

  private void initializeOnce(String action) throws SQLException {
    withConnectionRaw(action, conn -> {
      if (dialect == Dialect.SQLITE) {
        // WAL lets readers and one writer proceed together; the mode is persistent in the file.
        try (Statement st = conn.createStatement()) {
          st.execute("PRAGMA journal_mode=WAL");
        }
      }
      inTransaction(conn, () -> {
        if (dialect == Dialect.POSTGRES) {
          try (PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
            ps.setLong(1, PG_INIT_LOCK_KEY);
            ps.execute();
          }
        }
        try (Statement st = conn.createStatement()) {
          st.execute("CREATE TABLE IF NOT EXISTS " + META_TABLE + " ("
              + "meta_key TEXT NOT NULL PRIMARY KEY, meta_value TEXT NOT NULL)");
        }
        Optional<String> stored = readMeta(conn, SCHEMA_VERSION_KEY);
        int existing = stored.map(v -> parseSchemaVersion(action, v)).orElse(0);
        if (existing > SCHEMA_VERSION) {
          throw new RegistryException("Cannot " + action + " at " + config.redactedUrl()
              + ": its schema version " + existing + " is newer than this Strata supports ("
              + SCHEMA_VERSION + "); upgrade Strata");
        }
        if (existing < 1) {
          try (Statement st = conn.createStatement()) {
            for (String ddl : CREATE_V1) {
              st.execute(ddl);
            }
          }
        }
        if (existing < 2) {
          try (Statement st = conn.createStatement()) {
            for (String ddl : CREATE_V2) {
              st.execute(ddl);
            }
          }
        }
        if (existing < SCHEMA_VERSION) {
          writeMeta(conn, SCHEMA_VERSION_KEY, Integer.toString(SCHEMA_VERSION), stored.isPresent());
        }
        return null;
      });
      return null;
    });
  }

  private int parseSchemaVersion(String action, String value) {
    try {
      return Integer.parseInt(value.trim());
    } catch (NumberFormatException e) {
      throw new RegistryException("Cannot " + action + " at " + config.redactedUrl()
          + ": invalid schema version '" + value + "' in " + META_TABLE, e);
    }
  }

  private static Optional<String> readMeta(Connection conn, String key) throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement(
        "SELECT meta_value FROM " + META_TABLE + " WHERE meta_key = ?")) {
      ps.setString(1, key);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
      }
    }
  }

  private static void writeMeta(Connection conn, String key, String value, boolean exists)
      throws SQLException {
    String sql = exists
        ? "UPDATE " + META_TABLE + " SET meta_value = ? WHERE meta_key = ?"
        : "INSERT INTO " + META_TABLE + " (meta_value, meta_key) VALUES (?, ?)";
    try (PreparedStatement ps = conn.prepareStatement(sql)) {
      ps.setString(1, value);
      ps.setString(2, key);
      ps.executeUpdate();
    }
  }

  // ---------------------------------------------------------------- reads

  @Override
  public Optional<RegistryEntry> latest(String project) {
    requireProject(project);
    return withConnection("read registry", conn -> queryLatest(conn, project));
  }

  @Override
  public Optional<RegistryEntry> get(String project, int version) {
    requireProject(project);
    return withConnection("read registry", conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM "
          + VERSIONS_TABLE + " WHERE project = ? AND version = ?")) {
        ps.setString(1, project);
        ps.setInt(2, version);
        try (ResultSet rs = ps.executeQuery()) {
          return rs.next() ? Optional.of(toEntry(rs)) : Optional.empty();
        }
      }
    });
  }

  @Override
  public List<RegistryEntry> history(String project) {
    requireProject(project);
    return withConnection("read registry", conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM "
          + VERSIONS_TABLE + " WHERE project = ? ORDER BY version DESC")) {
        ps.setString(1, project);
        try (ResultSet rs = ps.executeQuery()) {
          List<RegistryEntry> entries = new ArrayList<>();
          while (rs.next()) {
            entries.add(toEntry(rs));
          }
          return Collections.unmodifiableList(entries);
        }
      }
    });
  }

  @Override
  public List<String> projects() {
    return withConnection("read registry", conn -> {
      try (Statement st = conn.createStatement();
           ResultSet rs = st.executeQuery("SELECT DISTINCT project FROM " + VERSIONS_TABLE)) {
        List<String> names = new ArrayList<>();
        while (rs.next()) {
          names.add(rs.getString(1));
        }
        Collections.sort(names); // in Java: database collations differ
        return Collections.unmodifiableList(names);
      }
    });
  }

  private static Optional<RegistryEntry> queryLatest(Connection conn, String project)
      throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("SELECT " + COLUMNS + " FROM "
        + VERSIONS_TABLE + " WHERE project = ? ORDER BY version DESC LIMIT 1")) {
      ps.setString(1, project);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(toEntry(rs)) : Optional.empty();
      }
    }
  }

  private static RegistryEntry toEntry(ResultSet rs) throws SQLException {
    return new RegistryEntry(
        rs.getString("project"),
        rs.getInt("version"),
        fromMicros(rs.getLong("applied_at_us")),
        rs.getString("applied_by"),
        rs.getString("plan_hash"),
        rs.getString("plan_json"),
        rs.getString("message"));
  }

  // ---------------------------------------------------------------- job ledger

  @Override
  public JobLedger jobs() {
    return this;
  }

  @Override
  public void recordRun(JobRun run) {
    insertRun(run, "DO NOTHING");
  }

  @Override
  public void recordProgress(JobRun run) {
    // the run's identity (project, job, target, version, start) stays; what it reached is replaced
    insertRun(run, "DO UPDATE SET succeeded = excluded.succeeded, covered_from_us = excluded.covered_from_us, "
        + "covered_to_us = excluded.covered_to_us, ended_at_us = excluded.ended_at_us, row_count = excluded.row_count, "
        + "snapshot_ids = excluded.snapshot_ids, detail = excluded.detail");
  }

  private void insertRun(JobRun run, String onConflict) {
    Objects.requireNonNull(run, "run");
    requireProject(run.project());
    writeWithRetry("record the " + run.job().id() + " run of " + run.target(), conn -> {
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + RUNS_TABLE + " (" + RUN_COLUMNS
          + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) " + onConflict)) {
        ps.setString(1, run.runId());
        ps.setString(2, run.project());
        ps.setString(3, run.job().id());
        ps.setString(4, run.target());
        ps.setString(5, run.targetVersion());
        ps.setInt(6, run.succeeded() ? 1 : 0);
        ps.setLong(7, run.coveredFrom());
        ps.setLong(8, run.coveredTo());
        ps.setLong(9, toMicros(run.startedAt()));
        ps.setLong(10, toMicros(run.endedAt()));
        ps.setLong(11, run.rows());
        ps.setString(12, run.snapshotIds().stream().map(String::valueOf).collect(Collectors.joining(",")));
        ps.setString(13, run.detail());
        ps.executeUpdate();
      }
      return null;
    });
  }

  @Override
  public List<JobRun> runs(String project, JobKind job, String target, String targetVersion) {
    requireProject(project);
    return withConnection("read job runs", conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT " + RUN_COLUMNS + " FROM " + RUNS_TABLE
          + " WHERE project = ? AND job = ? AND target = ? AND target_version = ? ORDER BY ended_at_us DESC, run_id")) {
        ps.setString(1, project);
        ps.setString(2, job.id());
        ps.setString(3, target);
        ps.setString(4, targetVersion);
        return readRuns(ps);
      }
    });
  }

  @Override
  public List<JobRun> latestRuns(String project) {
    requireProject(project);
    return withConnection("read job runs", conn -> {
      try (PreparedStatement ps = conn.prepareStatement("SELECT " + RUN_COLUMNS + " FROM " + RUNS_TABLE
          + " WHERE project = ? ORDER BY ended_at_us DESC, run_id")) {
        ps.setString(1, project);
        List<JobRun> all = readRuns(ps);
        java.util.Set<String> seen = new java.util.HashSet<>();
        List<JobRun> latest = new ArrayList<>();
        for (JobRun run : all) {
          if (seen.add(run.job().id() + '\u0000' + run.target() + '\u0000' + run.targetVersion())) {
            latest.add(run);
          }
        }
        return Collections.unmodifiableList(latest);
      }
    });
  }

  @Override
  public TimeRanges covered(String project, JobKind job, String target, String targetVersion) {
    TimeRanges covered = TimeRanges.empty();
    for (JobRun run : runs(project, job, target, targetVersion)) {
      if (run.succeeded()) {
        covered = covered.union(run.covered());
      }
    }
    return covered;
  }

  private static List<JobRun> readRuns(PreparedStatement ps) throws SQLException {
    try (ResultSet rs = ps.executeQuery()) {
      List<JobRun> runs = new ArrayList<>();
      while (rs.next()) {
        String ids = rs.getString("snapshot_ids");
        List<Long> snapshots = ids.isEmpty() ? List.of()
            : java.util.Arrays.stream(ids.split(",")).map(Long::valueOf).toList();
        runs.add(new JobRun(rs.getString("run_id"), rs.getString("project"), JobKind.fromId(rs.getString("job")),
            rs.getString("target"), rs.getString("target_version"), rs.getInt("succeeded") != 0,
            rs.getLong("covered_from_us"), rs.getLong("covered_to_us"), fromMicros(rs.getLong("started_at_us")),
            fromMicros(rs.getLong("ended_at_us")), rs.getLong("row_count"), snapshots, rs.getString("detail")));
      }
      return Collections.unmodifiableList(runs);
    }
  }

  @Override
  public RangeClaim claim(String project, JobKind job, String target, long fromMicros, long toMicros, String owner,
                          Duration lease) {
    requireProject(project);
    if (toMicros <= fromMicros) {
      throw new IllegalArgumentException("Cannot claim an empty range of " + target);
    }
    String what = job.id() + " of " + target + " " + TimeRanges.of(fromMicros, toMicros);
    return writeWithRetry("start the " + what, conn -> {
      lockTarget(conn, project, job, target);
      long now = toMicros(Instant.now());
      try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + CLAIMS_TABLE
          + " WHERE project = ? AND job = ? AND target = ? AND expires_at_us <= ?")) {
        ps.setString(1, project);
        ps.setString(2, job.id());
        ps.setString(3, target);
        ps.setLong(4, now);
        ps.executeUpdate();
      }
      try (PreparedStatement ps = conn.prepareStatement("SELECT owner, from_us, to_us, expires_at_us FROM "
          + CLAIMS_TABLE + " WHERE project = ? AND job = ? AND target = ? AND from_us < ? AND to_us > ?")) {
        ps.setString(1, project);
        ps.setString(2, job.id());
        ps.setString(3, target);
        ps.setLong(4, toMicros);
        ps.setLong(5, fromMicros);
        try (ResultSet rs = ps.executeQuery()) {
          if (rs.next()) {
            throw new RegistryException("Cannot start the " + what + ": another run (" + rs.getString(1)
                + ") is writing " + TimeRanges.of(rs.getLong(2), rs.getLong(3)) + " until "
                + fromMicros(rs.getLong(4)) + " at the latest; wait for it to finish, or for its lease to lapse");
          }
        }
      }
      RangeClaim claim = new RangeClaim(UUID.randomUUID().toString(), project, job, target, fromMicros, toMicros,
          owner, fromMicros(Math.addExact(now, lease.toNanos() / 1_000)));
      try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + CLAIMS_TABLE
          + " (claim_id, project, job, target, from_us, to_us, owner, expires_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
        ps.setString(1, claim.claimId());
        ps.setString(2, project);
        ps.setString(3, job.id());
        ps.setString(4, target);
        ps.setLong(5, fromMicros);
        ps.setLong(6, toMicros);
        ps.setString(7, owner);
        ps.setLong(8, toMicros(claim.expiresAt()));
        ps.executeUpdate();
      }
      return claim;
    });
  }

  @Override
  public RangeClaim renew(RangeClaim claim, Duration lease) {
    return writeWithRetry("renew the claim of " + claim.target(), conn -> {
      Instant expires = fromMicros(Math.addExact(toMicros(Instant.now()), lease.toNanos() / 1_000));
      try (PreparedStatement ps = conn.prepareStatement("UPDATE " + CLAIMS_TABLE
          + " SET expires_at_us = ? WHERE claim_id = ?")) {
        ps.setLong(1, toMicros(expires));
        ps.setString(2, claim.claimId());
        if (ps.executeUpdate() == 0) {
          throw new RegistryException("Cannot renew the " + claim.job().id() + " claim of " + claim.target()
              + ": it lapsed and may have been taken by another run");
        }
      }
      return new RangeClaim(claim.claimId(), claim.project(), claim.job(), claim.target(), claim.fromMicros(),
          claim.toMicros(), claim.owner(), expires);
    });
  }

  @Override
  public void release(RangeClaim claim) {
    writeWithRetry("release the claim of " + claim.target(), conn -> {
      try (PreparedStatement ps = conn.prepareStatement("DELETE FROM " + CLAIMS_TABLE + " WHERE claim_id = ?")) {
        ps.setString(1, claim.claimId());
        ps.executeUpdate();
      }
      return null;
    });
  }

  /** Serializes claims of one target on PostgreSQL; SQLite's BEGIN IMMEDIATE already does. */
  private void lockTarget(Connection conn, String project, JobKind job, String target) throws SQLException {
    if (dialect == Dialect.POSTGRES) {
      try (PreparedStatement ps = conn.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
        ps.setLong(1, (project + '\u0000' + job.id() + '\u0000' + target).hashCode() ^ PG_INIT_LOCK_KEY);
        ps.execute();
      }
    }
  }

  /** Runs {@code work} in a transaction, retrying what the database asks to retry, for up to 30 s. */
  private <T> T writeWithRetry(String action, SqlWork<T> work) {
    long deadline = System.nanoTime() + RECORD_RETRY_NANOS;
    for (int attempt = 1; ; attempt++) {
      try {
        return withConnectionRaw(action, conn -> inTransaction(conn, () -> work.run(conn)));
      } catch (SQLException e) {
        if (!isRetryable(e) || System.nanoTime() > deadline) {
          throw failure(action, e);
        }
        backoff(attempt);
      }
    }
  }

  // ---------------------------------------------------------------- record

  @Override
  public RegistryEntry record(String project, String planJson, String planHash, String appliedBy,
                              String message) {
    requireProject(project);
    if (planJson == null) {
      throw new IllegalArgumentException("Invalid plan: null");
    }
    if (planHash == null || planHash.isBlank()) {
      throw new IllegalArgumentException("Invalid plan hash: null or blank");
    }
    String action = "record plan for project " + project + " in registry";
    long deadline = System.nanoTime() + RECORD_RETRY_NANOS;
    for (int attempt = 1; ; attempt++) {
      try {
        return withConnectionRaw(action, conn -> inTransaction(conn, () -> {
          Optional<RegistryEntry> latest = queryLatest(conn, project);
          if (latest.isPresent() && latest.get().planHash().equals(planHash)) {
            return latest.get();
          }
          int next = latest.map(e -> e.version() + 1).orElse(1);
          Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
          try (PreparedStatement ps = conn.prepareStatement("INSERT INTO " + VERSIONS_TABLE
              + " (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, project);
            ps.setInt(2, next);
            ps.setLong(3, toMicros(now));
            ps.setString(4, appliedBy);
            ps.setString(5, planHash);
            ps.setString(6, planJson);
            ps.setString(7, message);
            ps.executeUpdate();
          }
          return new RegistryEntry(project, next, now, appliedBy, planHash, planJson, message);
        }));
      } catch (SQLException e) {
        if (!isRetryable(e) || System.nanoTime() > deadline) {
          throw failure(action, e);
        }
        backoff(attempt);
      }
    }
  }

  /** Someone else took the version (unique violation), or the database asked us to retry. */
  private boolean isRetryable(SQLException e) {
    for (SQLException s = e; s != null; s = s.getNextException()) {
      String state = s.getSQLState();
      if ("23505".equals(state) || "40001".equals(state) || "40P01".equals(state)) {
        return true;
      }
      if (dialect == Dialect.SQLITE) {
        int code = s.getErrorCode() & 0xff; // primary result code
        String msg = String.valueOf(s.getMessage());
        if (code == 5 || code == 6) { // SQLITE_BUSY, SQLITE_LOCKED
          return true;
        }
        if (code == 19 && (msg.contains("PRIMARYKEY") || msg.contains("UNIQUE"))) {
          return true;
        }
      }
    }
    return false;
  }

  private static void backoff(int attempt) {
    int maxMillis = Math.min(50, 2 << Math.min(attempt, 5));
    try {
      Thread.sleep(ThreadLocalRandom.current().nextInt(1, maxMillis + 1));
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      throw new RegistryException("Cannot record plan: interrupted", ie);
    }
  }

  // ---------------------------------------------------------------- transactions & connections

  private <T> T inTransaction(Connection conn, SqlWork0<T> work) throws SQLException {
    if (dialect == Dialect.SQLITE) {
      // Take the write lock up front (waits up to busy_timeout) so that a read-then-write
      // transaction never fails to upgrade its lock.
      try (Statement st = conn.createStatement()) {
        st.execute("BEGIN IMMEDIATE");
      }
    } else {
      conn.setAutoCommit(false);
    }
    boolean committed = false;
    try {
      T result = work.run();
      if (dialect == Dialect.SQLITE) {
        try (Statement st = conn.createStatement()) {
          st.execute("COMMIT");
        }
      } else {
        conn.commit();
      }
      committed = true;
      return result;
    } finally {
      if (!committed) {
        rollbackQuietly(conn);
      }
      if (dialect != Dialect.SQLITE) {
        restoreAutoCommit(conn, committed);
      }
    }
  }

  private static void restoreAutoCommit(Connection conn, boolean mayThrow) throws SQLException {
    try {
      conn.setAutoCommit(true);
    } catch (SQLException e) {
      if (mayThrow) {
        throw e;
      }
      // keep the original failure; a broken connection is dropped when next borrowed
    }
  }

  @FunctionalInterface
  private interface SqlWork0<T> {
    T run() throws SQLException;
  }

  private void rollbackQuietly(Connection conn) {
    try {
      if (dialect == Dialect.SQLITE) {
        if (!conn.getAutoCommit()) {
          conn.rollback();
        } else {
          try (Statement st = conn.createStatement()) {
            st.execute("ROLLBACK");
          }
        }
      } else {
        conn.rollback();
      }
    } catch (SQLException ignored) {
      // no transaction active, or the connection is broken; it will be discarded
    }
  }

  private <T> T withConnection(String action, SqlWork<T> work) {
    try {
      return withConnectionRaw(action, work);
    } catch (SQLException e) {
      throw failure(action, e);
    }
  }

  private <T> T withConnectionRaw(String action, SqlWork<T> work) throws SQLException {
    if (closed) {
      throw new RegistryException("Cannot " + action + " at " + config.redactedUrl()
          + ": registry is closed");
    }
    Connection conn = borrow();
    boolean reusable = false;
    try {
      T result = work.run(conn);
      reusable = true;
      return result;
    } catch (SQLException e) {
      // keep connections after ordinary statement errors (e.g. unique violations), drop broken ones
      String state = e.getSQLState();
      reusable = state == null || !state.startsWith("08");
      throw e;
    } finally {
      release(conn, reusable);
    }
  }

  private Connection borrow() throws SQLException {
    Connection conn;
    while ((conn = idle.pollFirst()) != null) {
      if (isUsable(conn)) {
        return conn;
      }
      closeQuietly(conn);
    }
    return connect();
  }

  private static boolean isUsable(Connection conn) {
    try {
      return !conn.isClosed() && conn.isValid(2);
    } catch (SQLException e) {
      return false;
    }
  }

  private void release(Connection conn, boolean reusable) {
    if (reusable && !closed && idle.size() < MAX_IDLE_CONNECTIONS) {
      idle.addFirst(conn);
      if (closed) { // raced with close()
        drain();
      }
    } else {
      closeQuietly(conn);
    }
  }

  private Connection connect() throws SQLException {
    Properties props = new Properties();
    if (config.user() != null) {
      props.setProperty("user", config.user());
    }
    if (config.password() != null) {
      props.setProperty("password", config.password());
    }
    if (dialect == Dialect.SQLITE) {
      props.setProperty("busy_timeout", Integer.toString(SQLITE_BUSY_TIMEOUT_MS));
    } else {
      props.setProperty("ApplicationName", "strata-registry");
      props.setProperty("connectTimeout", "10");
    }
    return DriverManager.getConnection(config.jdbcUrl(), props);
  }

  private void drain() {
    Connection conn;
    while ((conn = idle.pollFirst()) != null) {
      closeQuietly(conn);
    }
  }

  private static void closeQuietly(Connection conn) {
    try {
      conn.close();
    } catch (SQLException ignored) {
      // nothing to do
    }
  }

  @Override
  public void close() {
    closed = true;
    drain();
  }

  @Override
  public String toString() {
    return "JdbcRegistry{" + config.redactedUrl() + "}";
  }

  // ---------------------------------------------------------------- helpers

  private static void requireProject(String project) {
    if (project == null || project.isBlank()) {
      throw new IllegalArgumentException("Invalid project name: null or blank");
    }
  }

  static long toMicros(Instant instant) {
    return Math.addExact(Math.multiplyExact(instant.getEpochSecond(), 1_000_000L),
        instant.getNano() / 1_000);
  }

  static Instant fromMicros(long micros) {
    return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000L),
        Math.floorMod(micros, 1_000_000L) * 1_000L);
  }

  private static void createParentDirectories(RegistryConfig config) {
    String location = config.jdbcUrl().substring("jdbc:sqlite:".length());
    int query = location.indexOf('?');
    if (query >= 0) {
      location = location.substring(0, query);
    }
    if (location.isEmpty() || location.startsWith(":") || location.startsWith("file:")) {
      return; // in-memory or URI form: left to the driver
    }
    Path parent;
    try {
      parent = Path.of(location).toAbsolutePath().getParent();
    } catch (InvalidPathException e) {
      throw new RegistryException("Cannot open registry at " + config.redactedUrl()
          + ": invalid path (" + e.getReason() + ")", e);
    }
    if (parent == null || Files.isDirectory(parent)) {
      return;
    }
    try {
      Files.createDirectories(parent);
    } catch (IOException e) {
      String why;
      if (e instanceof FileAlreadyExistsException) {
        why = "a file is in the way";
      } else if (e instanceof AccessDeniedException) {
        why = "permission denied";
      } else if (e instanceof FileSystemException fse && fse.getReason() != null) {
        why = fse.getReason();
      } else {
        why = String.valueOf(e.getMessage());
      }
      throw new RegistryException("Cannot open registry at " + config.redactedUrl()
          + ": cannot create directory " + parent + " (" + why + ")", e);
    }
  }

  private RegistryException failure(String action, SQLException e) {
    return new RegistryException("Cannot " + action + " at " + config.redactedUrl() + ": "
        + scrub(reason(e)), e);
  }

  private String scrub(String text) {
    String password = config.password();
    if (password != null && !password.isEmpty()) {
      text = text.replace(password, "****");
    }
    return text;
  }

  private static final Pattern SQLITE_MESSAGE =
      Pattern.compile("^\\[SQLITE_[A-Z_]+\\]\\s*(.*?)(?:\\s*\\((.*)\\))?$");
  private static final Pattern SERVER_SEVERITY =
      Pattern.compile("^(?:FATAL|ERROR|PANIC|WARNING):\\s*");

  /** A short, lower-case, single-sentence reason for a failure. */
  static String reason(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof ConnectException) {
        return t.getMessage() == null ? "connection refused" : sentence(t.getMessage());
      } else if (t instanceof UnknownHostException) {
        return "unknown host " + t.getMessage();
      } else if (t instanceof SocketTimeoutException) {
        return "connection timed out";
      } else if (t instanceof NoRouteToHostException) {
        return "no route to host";
      }
    }
    String message = null;
    for (Throwable t = error; t != null && message == null; t = t.getCause()) {
      if (t.getMessage() != null && !t.getMessage().isBlank()) {
        message = t.getMessage();
      }
    }
    if (message == null) {
      return error.getClass().getSimpleName();
    }
    message = message.strip().lines().findFirst().orElse("").strip();
    message = SERVER_SEVERITY.matcher(message).replaceFirst("");
    Matcher sqlite = SQLITE_MESSAGE.matcher(message);
    if (sqlite.matches()) {
      message = sqlite.group(2) != null && !sqlite.group(2).isBlank() ? sqlite.group(2) : sqlite.group(1);
    }
    return sentence(message);
  }

  private static String sentence(String text) {
    String s = text.strip();
    int end = s.indexOf(". ");
    if (end > 0) {
      s = s.substring(0, end);
    }
    while (s.endsWith(".")) {
      s = s.substring(0, s.length() - 1);
    }
    if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
      s = Character.toLowerCase(s.charAt(0)) + s.substring(1);
    }
    return s.isEmpty() ? "unknown error" : s;
  }
}
