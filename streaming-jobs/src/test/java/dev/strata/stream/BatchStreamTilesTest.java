package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.EncodedTile;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.TileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Batch (Spark) and stream (Flink) build the same tiles, byte for byte, from the same events: the
 * flights sample is backfilled and materialized by the real batch job (its shaded jar in a child
 * JVM, launched as {@code strata backfill}/{@code strata materialize} launch it) into Iceberg and
 * into Redis under one key prefix, and replayed through the stream job into Redis under another.
 *
 * <ul>
 *   <li>Every row of each {@code <group>__tiles} Iceberg table is a tile the stream wrote, with the
 *       same bytes, and the stream wrote no other tile.
 *   <li>In Redis, every field a read as of the materialize instant or later can touch (tiles and
 *       roll-up blocks starting at or after {@code floor(at − W, hop)}, W the widest window of the
 *       hop: what materialize writes) has the same bytes under both prefixes, hash by hash.
 *       Excluded by design: older fields (the stream keeps each key's own last window, materialize
 *       the window before {@code at}). The latest event time {@code @t} is the same too (the tiles
 *       table keeps each tile's latest event).
 * </ul>
 */
class BatchStreamTilesTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** Database 12: streaming-jobs' own (other modules' tests use 10, 13, 14, 15 at the same time). */
  static final String REDIS = "redis://127.0.0.1:6379/12";
  static final String BATCH_MAIN = "dev.strata.batch.BatchJob";
  static final List<Object[]> EVENTS = FlightsSample.events();

  @Test
  void sparkAndFlinkWriteTheSameTilesAndRollUps(@TempDir Path dir) throws Exception {
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path batchTarget = module.resolveSibling("batch-jobs").resolve("target");
    Path jar = batchTarget.resolve("strata-batch-jobs.jar");
    Path sparkClasspath = batchTarget.resolve("spark-classpath.txt");
    assertThat(jar).as("the batch job jar: build it first (mvn install -pl streaming-jobs -am)").isRegularFile();
    assertThat(sparkClasspath).as("Spark's classpath beside the batch job jar").isRegularFile();

    Path project = dir.resolve("flights");
    Files.createDirectories(project.resolve("data"));
    for (String f : List.of("entities.yaml", "features.yaml", "data/flights-20k.csv")) {
      Files.copy(FlightsSample.exampleDir().resolve(f), project.resolve(f));
    }
    String run = Long.toString(System.nanoTime());
    String batchPrefix = "t-bst-batch-" + run;
    String streamPrefix = "t-bst-stream-" + run;
    Files.writeString(project.resolve("strata.yaml"), "warehouse: " + dir.resolve("warehouse") + "\n"
        + "redis:\n  url: \"" + REDIS + "?prefix=" + batchPrefix + "\"\n");
    ProjectSnapshot files = ProjectSnapshot.read(project);
    CompiledPlan plan = files.plan();

    long first = EVENTS.stream().mapToLong(r -> (Long) r[0]).min().orElseThrow();
    long last = EVENTS.stream().mapToLong(r -> (Long) r[0]).max().orElseThrow();
    long at = Durations.floor(last, Durations.MINUTE) + Durations.MINUTE; // just after the last event
    Path exported = dir.resolve("batch-tiles.tsv");
    try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(REDIS))) {
      try {
        List<String> jvm = sparkJvm(jar, sparkClasspath);
        runChild(dir.resolve("backfill.log"), jvm, List.of(BATCH_MAIN, "--project", project.toString(), "backfill", "--all",
            "--from", day(first), "--to", day(last)));
        runChild(dir.resolve("materialize.log"), jvm, List.of(module.resolve("src/test/spark/BatchTileExport.java").toString(),
            project.toString(), Durations.formatInstant(at), exported.toString()));

        Collected stream = new Collected();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        env.setParallelism(2);
        StreamPipeline.add(env, files, "flights", new StreamInput.File(project.resolve("data/flights-20k.csv"), "csv", 0),
            both(RedisTileWriterFactory.of(files, REDIS + "?prefix=" + streamPrefix), stream.tileSink()), stream.deadLetterSink(),
            StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
        env.execute("batch vs stream tiles");
        assertThat(stream.deadLetters).isEmpty();

        Map<EncodedTile.Id, byte[]> batchTiles = readExport(exported);
        assertThat(batchTiles).as("tiles in the Iceberg tables").hasSizeGreaterThan(50_000);
        Expected.assertSameTiles(stream.tiles, batchTiles);

        int compared = assertSameReadableFields(plan, at, hashes(redis, batchPrefix), hashes(redis, streamPrefix));
        assertThat(compared).as("Redis fields compared").isGreaterThan(10_000);
      } finally {
        deleteKeys(redis, batchPrefix);
        deleteKeys(redis, streamPrefix);
      }
    }
  }

  /** The batch jar's JVM flags, as the CLI passes them (BatchCommands), and its classpath. */
  static List<String> sparkJvm(Path jar, Path sparkClasspath) throws IOException {
    List<String> jvm = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx3g"));
    try (ZipFile zip = new ZipFile(jar.toFile()); InputStream in = zip.getInputStream(zip.getEntry("dev/strata/batch/spark-jvm-flags.txt"))) {
      Arrays.stream(new String(in.readAllBytes(), StandardCharsets.UTF_8).trim().split("\\s+")).filter(s -> !s.isEmpty()).forEach(jvm::add);
    }
    jvm.add("-Dspark.master=local[2]");
    jvm.add("-cp");
    jvm.add(jar + java.io.File.pathSeparator + Files.readString(sparkClasspath).strip());
    return jvm;
  }

  static void runChild(Path log, List<String> jvm, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(jvm);
    command.addAll(args);
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      boolean done = p.waitFor(8, TimeUnit.MINUTES);
      assertThat(done).as("%s finished within 8 minutes; log: %s", args.get(0), tail(log)).isTrue();
      assertThat(p.exitValue()).as("exit code of %s; log: %s", args.get(0), tail(log)).isZero();
    } finally {
      p.destroyForcibly();
    }
  }

  static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return "\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
  }

  static String day(long micros) {
    return Durations.formatInstant(Durations.startOfDay(micros)).substring(0, 10);
  }

  /** Both sinks get every batch: Redis, and the test's collection of every tile's last state. */
  static TileWriter.Factory both(TileWriter.Factory a, TileWriter.Factory b) {
    return () -> {
      TileWriter x = a.open();
      TileWriter y = b.open();
      return new TileWriter() {
        @Override
        public void write(List<EncodedTile> tiles) {
          x.write(tiles);
          y.write(tiles);
        }

        @Override
        public void close() {
          x.close();
          y.close();
        }
      };
    };
  }

  /** Tile id → bytes of BatchTileExport's lines. */
  static Map<EncodedTile.Id, byte[]> readExport(Path file) throws IOException {
    Base64.Decoder base64 = Base64.getDecoder();
    Map<EncodedTile.Id, byte[]> out = new HashMap<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      String[] c = line.split("\t", -1);
      Object[] key = new Object[c.length - 5];
      for (int i = 0; i < key.length; i++) {
        key[i] = new String(base64.decode(c[5 + i]), StandardCharsets.UTF_8);
      }
      EncodedTile.Id id = new EncodedTile.Id(c[0], c[1], Arrays.asList(key), Long.parseLong(c[2]), Long.parseLong(c[3]));
      byte[] previous = out.put(id, base64.decode(c[4]));
      assertThat(previous).as("one row per tile in the tiles table: %s", id).isNull();
    }
    return out;
  }

  /** Hash (its key less the prefix) → field → value, of every key under {@code prefix}. */
  static Map<String, Map<String, byte[]>> hashes(UnifiedJedis redis, String prefix) {
    List<String> keys = new ArrayList<>();
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + ":*").count(1000));
      keys.addAll(page.getResult());
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    List<Response<Map<byte[], byte[]>>> read = new ArrayList<>();
    try (AbstractPipeline p = redis.pipelined()) {
      for (String k : keys) {
        read.add(p.hgetAll(k.getBytes(StandardCharsets.UTF_8)));
      }
      p.sync();
    }
    Map<String, Map<String, byte[]>> out = new TreeMap<>();
    for (int i = 0; i < keys.size(); i++) {
      Map<String, byte[]> fields = new TreeMap<>();
      read.get(i).get().forEach((f, v) -> fields.put(new String(f, StandardCharsets.UTF_8), v));
      out.put(keys.get(i).substring(prefix.length()), fields);
    }
    return out;
  }

  /**
   * Asserts that both sides hold the same bytes in every field that a read as of {@code at} or
   * later can touch; returns how many fields were compared.
   */
  static int assertSameReadableFields(CompiledPlan plan, long at, Map<String, Map<String, byte[]>> batch,
      Map<String, Map<String, byte[]>> stream) {
    Map<String, CompiledGroup> groups = new HashMap<>();
    plan.groups().forEach(g -> groups.put(g.name() + ":" + g.version(), g));
    TreeSet<String> hashes = new TreeSet<>(batch.keySet());
    hashes.addAll(stream.keySet());
    int compared = 0;
    int differing = 0;
    String firstDifference = null;
    for (String hash : hashes) {
      CompiledGroup g = groups.get(hash.substring(hash.lastIndexOf("}:") + 2));
      assertThat(g).as("group of hash %s", hash).isNotNull();
      Map<String, String> b = readable(g, at, batch.getOrDefault(hash, Map.of()));
      Map<String, String> s = readable(g, at, stream.getOrDefault(hash, Map.of()));
      if (batch.containsKey(hash)) {
        // Materialize hands the tiles' own latest event times: the key's @t is the stream's.
        b.put(RedisLayout.LATEST_FIELD, new String(batch.get(hash).get(RedisLayout.LATEST_FIELD), StandardCharsets.US_ASCII));
        s.put(RedisLayout.LATEST_FIELD, new String(stream.get(hash).get(RedisLayout.LATEST_FIELD), StandardCharsets.US_ASCII));
      }
      if (!b.equals(s)) {
        differing++;
        if (firstDifference == null) {
          firstDifference = hash + "\n  batch:  " + b + "\n  stream: " + s;
        }
      }
      compared += b.size();
    }
    assertThat(differing).as("hashes whose readable fields differ, of %d; first: %s", hashes.size(), firstDifference).isZero();
    return compared;
  }

  /** The fields of a hash that materialize as of {@code at} writes, as Base64 text. */
  static Map<String, String> readable(CompiledGroup g, long at, Map<String, byte[]> fields) {
    Map<String, String> out = new TreeMap<>();
    fields.forEach((name, value) -> {
      RedisLayout.Block block = RedisLayout.parseField(name);
      if (block != null && block.startMicros() >= windowStart(g, block.hopMicros(), at)) {
        out.put(name, Base64.getEncoder().encodeToString(value));
      }
    });
    return out;
  }

  /** {@code floor(at − W, hop)} for the widest window W of the hop's features (none for lifetime), as MaterializeJob selects. */
  static long windowStart(CompiledGroup g, long hop, long at) {
    long reach = 0;
    for (CompiledFeature f : g.features()) {
      if (f.hopMicros() == hop) {
        if (f.window().isLifetime()) {
          return Long.MIN_VALUE;
        }
        reach = Math.max(reach, f.window().micros());
      }
    }
    return Durations.floor(at - reach, hop);
  }

  static void deleteKeys(UnifiedJedis redis, String prefix) {
    String cursor = ScanParams.SCAN_POINTER_START;
    do {
      ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + ":*").count(1000));
      if (!page.getResult().isEmpty()) {
        redis.del(page.getResult().toArray(new String[0]));
      }
      cursor = page.getCursor();
    } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
  }
}
