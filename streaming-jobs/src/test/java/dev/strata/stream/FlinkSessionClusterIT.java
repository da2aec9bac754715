package dev.strata.stream;

import static dev.strata.stream.FlinkSessionCluster.log;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Issue 17 item 8, the Flink half: the job jar the manifests reference runs on a standalone
 * session cluster — a JobManager and a TaskManager, each its own process ({@link
 * FlinkSessionCluster}) — submitted with {@code flink run -d}, RocksDB state checkpointed to a folder
 * every process shares. The flights sample is replayed (file replay, paced to about {@value
 * #REPLAY_SECONDS} s) into the real Redis under a prefix of its own; once tiles are in Redis and a
 * checkpoint has completed after them, before the replay ends, the TaskManager is killed with
 * SIGKILL and a new one started. The job must restore from the last completed checkpoint and
 * finish, and then:
 *
 * <ul>
 *   <li>every level-0 tile in Redis has GroupTiler's bytes (an event lost or counted twice
 *       changes a count, a sum or a last value), and the values the online reader serves equal
 *       the oracle's ({@link RedisJobTest#assertRedisMatches});
 *   <li>Redis holds the same hashes as the same job run locally (its main in this JVM, a
 *       MiniCluster) under another prefix, with the same bytes in every field a read as of the
 *       end of the data or later can touch, and the same latest event time per key.
 * </ul>
 *
 * <p>The local run goes on in this JVM while the cluster restores and finishes its paced replay.
 * On any failure the message carries the tail of every cluster process's log.
 */
class FlinkSessionClusterIT {
  /** Database 12: streaming-jobs' own (see BatchStreamTilesTest); prefixes keep runs apart. */
  static final String REDIS = "redis://127.0.0.1:6379/12";
  static final int REPLAY_SECONDS = 45;
  static final List<Object[]> EVENTS = FlightsSample.events();

  @TempDir
  static Path tmp;

  static FlinkSessionCluster cluster;

  @BeforeAll
  static void startCluster() throws Exception {
    cluster = FlinkSessionCluster.start(tmp.resolve("flink"), 2);
  }

  @AfterAll
  static void stopCluster() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  @Timeout(value = 10, unit = TimeUnit.MINUTES)
  void aTaskManagerKilledMidStreamIsRecoveredFromTheLastCheckpointAndRedisEqualsALocalRun() throws Throwable {
    Path jar = Path.of("target", "strata-streaming-jobs.jar").toAbsolutePath();
    assertThat(jar).as("the job jar (built in the package phase)").isRegularFile();
    String run = Long.toString(System.nanoTime());
    String clusterPrefix = "t-flink-cluster-" + run;
    String localPrefix = "t-flink-local-" + run;
    long first = EVENTS.stream().mapToLong(r -> (Long) r[0]).min().orElseThrow();
    long last = EVENTS.stream().mapToLong(r -> (Long) r[0]).max().orElseThrow();
    double speed = (last - first) / (double) Durations.SECOND / REPLAY_SECONDS;

    CompletableFuture<Void> local = null;
    try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(REDIS))) {
      try {
        Process client = cluster.submitDetached(jar, jobArgs(project("cluster-project"), clusterPrefix, speed));
        assertThat(client.waitFor(3, TimeUnit.MINUTES)).as("flink run -d returned within 3 minutes").isTrue();
        assertThat(client.exitValue()).as("exit code of flink run -d").isZero();
        String submitted = outputLine(cluster.home.resolve("log/flink-run.log"), "strata stream: submitted job ");
        String job = cluster.awaitJob(Duration.ofSeconds(60));
        assertThat(submitted).as("what flink run -d printed").contains(job);
        cluster.awaitCompletedCheckpoints(job, 1, Duration.ofSeconds(120));
        awaitKeys(redis, clusterPrefix, Duration.ofSeconds(60));
        // A checkpoint taken after tiles were written: the state it holds is not empty.
        int done = cluster.checkpoints(job).path("counts").path("completed").asInt();
        long before = cluster.awaitCompletedCheckpoints(job, done + 1, Duration.ofSeconds(60));
        assertThat(cluster.state(job)).as("job state before the kill").isEqualTo("RUNNING");
        cluster.killTaskManager();
        // Only the dead TaskManager wrote to Redis: what is there now is how far the replay got.
        long writtenTo = latestEvent(redis, clusterPrefix);
        log("killed with the replay at %s of %s..%s", Durations.formatInstant(writtenTo), Durations.formatInstant(first),
            Durations.formatInstant(last));
        assertThat(writtenTo).as("latest event in Redis when the TaskManager died (mid-replay: after the first, before the last"
            + " event %s)", Durations.formatInstant(last)).isBetween(first, last - 1);
        JsonNode failure = cluster.awaitFailure(job, Duration.ofSeconds(90));
        cluster.awaitTaskManagers(0, Duration.ofSeconds(90));
        // No checkpoint can complete from here until the new TaskManager runs the tasks: this is the last one.
        long lastCheckpoint = cluster.checkpoints(job).path("latest").path("completed").path("id").asLong(-1);
        assertThat(lastCheckpoint).as("last completed checkpoint").isGreaterThanOrEqualTo(before);
        cluster.startTaskManager();
        // The local run meanwhile (the cluster's replay is paced, mostly idle): its Redis prefix is its own.
        Path localProject = project("local-project");
        local = CompletableFuture.runAsync(() -> runLocally(localProject, localPrefix));
        cluster.awaitTaskManagers(1, Duration.ofSeconds(120));

        assertThat(cluster.awaitTerminalState(job, Duration.ofMinutes(5))).as("job state at its end").isEqualTo("FINISHED");
        JsonNode checkpoints = cluster.checkpoints(job);
        JsonNode restored = checkpoints.path("latest").path("restored");
        log("restored from checkpoint %s (%s) after %s", restored.path("id"), restored.path("external_path").asText(),
            failure.path("exceptionName").asText());
        assertThat(restored.path("id").asLong(-1)).as("checkpoint the job restored from: %s", checkpoints)
            .isEqualTo(lastCheckpoint);
        assertThat(restored.path("is_savepoint").asBoolean(true)).as("restored from a savepoint").isFalse();
        assertThat(Path.of(java.net.URI.create(restored.path("external_path").asText()).getPath()))
            .as("where the restored checkpoint lives").startsWithRaw(cluster.checkpoints);

        RedisJobTest.assertRedisMatches(redis, clusterPrefix);
        log("Redis under %s: tiles are GroupTiler's, served values the oracle's", clusterPrefix);

        local.get(5, TimeUnit.MINUTES);
        log("the local run ended");
        int compared = assertSameReadableFields(FlightsSample.plan(), Durations.floor(last, Durations.MINUTE) + Durations.MINUTE,
            BatchStreamTilesTest.hashes(redis, localPrefix), BatchStreamTilesTest.hashes(redis, clusterPrefix));
        assertThat(compared).as("Redis fields compared").isGreaterThan(10_000);
        log("Redis under %s equals the local run's, %,d fields compared", clusterPrefix, compared);
      } catch (Throwable t) {
        throw new AssertionError(t.getMessage() + "\nFlink processes' logs (" + cluster.home.resolve("log") + "):"
            + cluster.diagnostics(), t);
      } finally {
        if (local != null) {
          try {
            local.get(5, TimeUnit.MINUTES); // it writes under its prefix until it ends
          } catch (Exception e) {
            // reported by the test body when it matters
          }
        }
        BatchStreamTilesTest.deleteKeys(redis, clusterPrefix);
        BatchStreamTilesTest.deleteKeys(redis, localPrefix);
      }
    }
  }

  /** The same job, its main in this JVM (a MiniCluster), replaying as fast as possible. */
  static void runLocally(Path project, String prefix) {
    try {
      StreamJob.run(StreamJob.Options.parse(jobArgs(project, prefix, 0).toArray(new String[0])));
    } catch (Exception e) {
      throw new IllegalStateException("the local run failed: " + e.getMessage(), e);
    }
  }

  /** The job's command line: the sample replayed at {@code speed} (0: as fast as possible) into Redis under {@code prefix}. */
  static List<String> jobArgs(Path project, String prefix, double speed) {
    return List.of("--project", project.toString(), "--source", "flights",
        "--file", project.resolve("data/flights-20k.csv").toString(), "--speed", String.format(Locale.ROOT, "%.1f", speed),
        "--redis", REDIS + "?prefix=" + prefix, "--checkpoint-interval", "1s", "--parallelism", "2");
  }

  /** A copy of the example's definitions and sample with a strata.yaml of its own (warehouse, catalog and job ledger in tmp). */
  static Path project(String name) throws Exception {
    Path project = tmp.resolve(name);
    Files.createDirectories(project.resolve("data"));
    for (String f : List.of("entities.yaml", "features.yaml", "data/flights-20k.csv")) {
      Files.copy(FlightsSample.exampleDir().resolve(f), project.resolve(f));
    }
    Files.writeString(project.resolve("strata.yaml"), "warehouse: " + project.resolve("warehouse") + "\n", StandardCharsets.UTF_8);
    return project;
  }

  /** Waits until Redis holds a key under {@code prefix}. */
  static void awaitKeys(UnifiedJedis redis, String prefix, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!hasKey(redis, prefix)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("no key under " + prefix + " in Redis after " + timeout.toSeconds() + " s of the job");
      }
      Thread.sleep(250);
    }
    log("tiles are arriving in Redis under %s", prefix);
  }

  private static boolean hasKey(UnifiedJedis redis, String prefix) {
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + ":*").count(1000));
      if (!page.getResult().isEmpty()) {
        return true;
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    return false;
  }

  /** The largest latest event time ({@code @t}) of any key under {@code prefix}; MIN_VALUE when there is none. */
  static long latestEvent(UnifiedJedis redis, String prefix) {
    long latest = Long.MIN_VALUE;
    for (Map<String, byte[]> fields : BatchStreamTilesTest.hashes(redis, prefix).values()) {
      byte[] t = fields.get(RedisLayout.LATEST_FIELD);
      if (t != null) {
        latest = Math.max(latest, Long.parseLong(new String(t, StandardCharsets.US_ASCII)));
      }
    }
    return latest;
  }

  /**
   * Asserts both runs wrote the same hashes, with the same latest event time and the same bytes in
   * every field a read as of {@code at} or later can touch (older fields may differ by design: a
   * restored job rewrites tiles that a later write of the first attempt had already trimmed);
   * returns how many fields were compared.
   */
  static int assertSameReadableFields(CompiledPlan plan, long at, Map<String, Map<String, byte[]>> local,
      Map<String, Map<String, byte[]>> onCluster) {
    assertThat(onCluster.keySet()).as("Redis keys of the cluster run (less the prefix)").isEqualTo(local.keySet());
    Map<String, CompiledGroup> groups = new HashMap<>();
    plan.groups().forEach(g -> groups.put(g.name() + ":" + g.version(), g));
    int compared = 0;
    List<String> differing = new ArrayList<>();
    for (String hash : new TreeSet<>(local.keySet())) {
      CompiledGroup g = groups.get(hash.substring(hash.lastIndexOf("}:") + 2));
      assertThat(g).as("group of hash %s", hash).isNotNull();
      Map<String, String> l = BatchStreamTilesTest.readable(g, at, local.get(hash));
      Map<String, String> c = BatchStreamTilesTest.readable(g, at, onCluster.get(hash));
      l.put(RedisLayout.LATEST_FIELD, latest(local.get(hash)));
      c.put(RedisLayout.LATEST_FIELD, latest(onCluster.get(hash)));
      if (!l.equals(c)) {
        differing.add(hash + "\n  local:   " + l + "\n  cluster: " + c);
      }
      compared += l.size();
    }
    assertThat(differing.size()).as("hashes whose readable fields differ between the local and the cluster run, of %d; first: %s",
        local.size(), differing.isEmpty() ? "" : differing.get(0)).isZero();
    return compared;
  }

  private static String latest(Map<String, byte[]> fields) {
    byte[] t = fields.get(RedisLayout.LATEST_FIELD);
    return t == null ? "(none)" : new String(t, StandardCharsets.US_ASCII);
  }

  /** The first line of a log starting with {@code start}; fails (with the log) when there is none. */
  private static String outputLine(Path log, String start) throws Exception {
    String line = Files.readAllLines(log, StandardCharsets.UTF_8).stream().filter(l -> l.startsWith(start)).findFirst().orElse(null);
    assertThat(line).as("a line starting with '%s' in %s:\n%s", start, log, FlinkSessionCluster.tail(log, 40)).isNotNull();
    log("%s", line);
    return line;
  }
}
