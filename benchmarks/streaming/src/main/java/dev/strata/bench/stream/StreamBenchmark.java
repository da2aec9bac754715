package dev.strata.bench.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.TileWriter;
import dev.strata.stream.DeadLetterSink;
import dev.strata.stream.DiscardingTileWriter;
import dev.strata.stream.RedisTileWriterFactory;
import dev.strata.stream.StreamInput;
import dev.strata.stream.StreamPipeline;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * Events/s of the tiling job on the flights data (the 20k sample repeated, each copy shifted by
 * 13 weeks), through a real in-JVM Kafka broker and from a file, beside the same Flink pipeline
 * with a discarding tile sink and beside a plain Kafka consumer reading the same topic, in one
 * run; then freshness (event to tile written) at a steady rate with the Redis sink beside the
 * discarding sink ({@link Freshness}). Usage: StreamBenchmark [copies=10 (0: no throughput
 * runs)] [parallelism=2] [freshness seconds=60 (0: none)] [events/s=10000] [redisUrl].
 */
public final class StreamBenchmark {
  private static final String TOPIC = "flights";
  private static final int PARTITIONS = 2;

  private StreamBenchmark() {}

  @SuppressWarnings("try") // KafkaClusterTestKit.close() declares InterruptedException; main throws it on
  public static void main(String[] args) throws Exception {
    int copies = args.length > 0 ? Integer.parseInt(args[0]) : 10;
    int parallelism = args.length > 1 ? Integer.parseInt(args[1]) : 2;
    String prefix = "bench-stream-" + System.currentTimeMillis();
    int freshSeconds = args.length > 2 ? Integer.parseInt(args[2]) : 60;
    int freshRate = args.length > 3 ? Integer.parseInt(args[3]) : 10_000;
    String redisUrl = args.length > 4 ? args[4] : "redis://127.0.0.1:6379/12?prefix=" + prefix;

    CompiledPlan plan = FlightsSample.plan();
    CompiledSource source = plan.source("flights").orElseThrow();
    List<String> records = records(source, FlightsSample.events(), Math.max(1, copies)); // at least one copy: the warm-up replays it
    int n = records.size();
    Path work = Files.createTempDirectory("strata-stream-bench");
    Path file = work.resolve("flights.jsonl");
    Files.write(file, records, StandardCharsets.UTF_8);
    ProjectSnapshot project = ProjectSnapshot.read(FlightsSample.exampleDir());
    DeadLetterSink.Factory dead = dev.strata.stream.FileDeadLetterSink.factory(work.resolve("dead"), "flights");

    System.out.printf(Locale.ROOT, "events: %,d (flights sample x %d), JSON %,d bytes; parallelism %d; %d cores; load average %.1f%n",
        n, copies, Files.size(file), parallelism, Runtime.getRuntime().availableProcessors(),
        ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());

    try (KafkaClusterTestKit kafka = new KafkaClusterTestKit.Builder(
        new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
        .setConfigProp("offsets.topic.replication.factor", "1").build()) {
      kafka.format();
      kafka.startup();
      kafka.waitForReadyBrokers();
      String servers = kafka.bootstrapServers();
      produce(servers, records);

      List<String[]> table = new ArrayList<>();
      // Warm-up (JIT, class loading), not reported.
      run(project, new StreamInput.File(file, "json", 0), DiscardingTileWriter.factory(), dead, parallelism);
      if (copies > 0) {
        throughput(project, servers, file, n, dead, parallelism, redisUrl, () -> clean(redisUrl, prefix), table);
      }
      if (freshSeconds > 0) {
        List<Freshness.Result> fresh = new ArrayList<>();
        for (String sink : List.of("discard", "redis")) {
          TileWriter.Factory tiles = sink.equals("discard") ? DiscardingTileWriter.factory() : RedisTileWriterFactory.of(project, redisUrl).mirroring();
          fresh.add(Freshness.run(sink.equals("discard") ? "Kafka -> tiles -> discarding sink" : "Kafka -> tiles -> Redis (TileWriter)",
              servers, "fresh-" + sink, project, source, FlightsSample.events(), tiles, dead, parallelism, freshRate, freshSeconds));
        }
        System.out.println();
        System.out.printf(Locale.ROOT, "Freshness at a steady %,d events/s for %d s (first 10%% not counted): event sent -> its %s tile written%n",
            freshRate, freshSeconds, Freshness.GROUP);
        System.out.printf(Locale.ROOT, "| %-36s | %9s | %9s | %9s | %8s | %8s | %8s | %8s | %14s |%n",
            "pipeline", "sent", "sent/s", "measured", "p50 ms", "p90 ms", "p99 ms", "max ms", "p50 last third");
        System.out.printf(Locale.ROOT, "|%s|%s|%s|%s|%s|%s|%s|%s|%s|%n", "-".repeat(38), "-".repeat(11), "-".repeat(11), "-".repeat(11),
            "-".repeat(10), "-".repeat(10), "-".repeat(10), "-".repeat(10), "-".repeat(16));
        for (Freshness.Result r : fresh) {
          System.out.printf(Locale.ROOT, "| %-36s | %,9d | %,9.0f | %,9d | %8.1f | %8.1f | %8.1f | %8.1f | %14.1f |%n",
              r.sink(), r.sent(), r.rate(), r.measured(), r.p50(), r.p90(), r.p99(), r.max(), r.p50LastThird());
        }
        System.out.println();
        System.out.println("Sink batches in those runs (all subtasks, whole run): count, tiles per batch, time to write one batch");
        System.out.printf(Locale.ROOT, "| %-36s | %8s | %12s | %8s | %8s | %8s |%n", "pipeline", "batches", "tiles/batch", "p50 ms", "p99 ms", "max ms");
        System.out.printf(Locale.ROOT, "|%s|%s|%s|%s|%s|%s|%n", "-".repeat(38), "-".repeat(10), "-".repeat(14), "-".repeat(10), "-".repeat(10), "-".repeat(10));
        for (Freshness.Result r : fresh) {
          System.out.printf(Locale.ROOT, "| %-36s | %,8d | %,12.0f | %8.1f | %8.1f | %8.1f |%n",
              r.sink(), r.batches(), r.tilesPerBatch(), r.batchP50(), r.batchP99(), r.batchMax());
        }
      }
      long deadLetters = Files.exists(work.resolve("dead")) ? Files.list(work.resolve("dead")).mapToLong(StreamBenchmark::lines).sum() : 0;
      System.out.println("dead letters: " + deadLetters);
    } finally {
      clean(redisUrl, prefix);
      try (var files = Files.walk(work)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  static void throughput(ProjectSnapshot project, String servers, Path file, int n, DeadLetterSink.Factory dead, int parallelism,
      String redisUrl, Runnable emptyRedis, List<String[]> table) throws Exception {
    long t0 = System.nanoTime();
    long read = consume(servers, n);
    table.add(row("plain Kafka consumer (poll + UTF-8 decode, 1 thread)", read, System.nanoTime() - t0, -1));

    int run = 0;
    for (String sink : List.of("discard", "redis")) {
      TileWriter.Factory tiles = sink.equals("discard") ? DiscardingTileWriter.factory() : RedisTileWriterFactory.of(project, redisUrl).mirroring();
      String to = sink.equals("discard") ? "discarding sink" : "Redis (online-store TileWriter)";
      StreamInput kafkaIn = new StreamInput.Kafka(servers, TOPIC, "bench-" + run++, "json", true);
      emptyRedis.run(); // every Redis run starts from the same (empty) keyspace
      long k0 = System.nanoTime();
      JobExecutionResult r = run(project, kafkaIn, tiles, dead, parallelism);
      table.add(row("Flink: Kafka -> parse -> tiles -> " + to, n, System.nanoTime() - k0, r.getNetRuntime()));
      emptyRedis.run();
      long f0 = System.nanoTime();
      r = run(project, new StreamInput.File(file, "json", 0), tiles, dead, parallelism);
      table.add(row("Flink: file replay -> parse -> tiles -> " + to, n, System.nanoTime() - f0, r.getNetRuntime()));
    }
    System.out.println();
    System.out.printf(Locale.ROOT, "| %-62s | %10s | %12s | %12s |%n", "pipeline", "events", "events/s", "events/s net");
    System.out.printf(Locale.ROOT, "|%s|%s|%s|%s|%n", "-".repeat(64), "-".repeat(12), "-".repeat(14), "-".repeat(14));
    for (String[] r : table) {
      System.out.printf(Locale.ROOT, "| %-62s | %10s | %12s | %12s |%n", (Object[]) r);
    }
    System.out.println();
    System.out.println("events/s = events / wall time of the run (a Flink run includes starting its local MiniCluster);");
    System.out.println("net = events / the job's own runtime as Flink reports it (submission to end).");
  }

  static long lines(Path p) {
    try {
      return Files.readAllLines(p).size();
    } catch (java.io.IOException e) {
      return -1;
    }
  }

  static JobExecutionResult run(ProjectSnapshot project, StreamInput input, TileWriter.Factory tiles, DeadLetterSink.Factory dead,
      int parallelism) throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
    env.enableCheckpointing(10_000); // as `strata stream` runs: tiles also flush on checkpoints
    StreamPipeline.add(env, project, "flights", input, tiles, dead, StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    return env.execute("bench");
  }

  static String[] row(String what, long events, long nanos, long netMillis) {
    return new String[] {what, String.format(Locale.ROOT, "%,d", events), String.format(Locale.ROOT, "%,.0f", events / (nanos / 1e9)),
        netMillis < 0 ? "" : String.format(Locale.ROOT, "%,.0f", events / (netMillis / 1e3))};
  }

  static List<String> records(CompiledSource source, List<Object[]> sample, int copies) {
    ObjectMapper json = new ObjectMapper();
    int t = source.schema().indexOf(source.timestamp());
    List<Object[]> rows = new ArrayList<>();
    for (int c = 0; c < copies; c++) {
      long shift = c * 91 * Durations.DAY;
      for (Object[] r : sample) {
        Object[] copy = r.clone();
        copy[t] = (Long) r[t] + shift;
        rows.add(copy);
      }
    }
    rows.sort(Comparator.comparingLong(r -> (Long) r[t])); // a topic in (roughly) event-time order
    List<String> out = new ArrayList<>(rows.size());
    for (Object[] r : rows) {
      ObjectNode node = json.createObjectNode();
      for (int i = 0; i < r.length; i++) {
        String name = source.schema().field(i).name();
        if (r[i] == null) {
          node.putNull(name);
        } else if (i == t) {
          node.put(name, Durations.formatInstant((Long) r[i]));
        } else if (r[i] instanceof Long l) {
          node.put(name, l);
        } else {
          node.put(name, r[i].toString());
        }
      }
      out.add(node.toString());
    }
    return out;
  }

  static void produce(String servers, List<String> records) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short) 1))).all().get();
    }
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("linger.ms", "20");
    p.put("batch.size", "262144");
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < records.size(); i++) {
        producer.send(new ProducerRecord<>(TOPIC, i % PARTITIONS, null, records.get(i)));
      }
      producer.flush();
    }
  }

  static long consume(String servers, int expected) {
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    p.put("key.deserializer", StringDeserializer.class.getName());
    p.put("value.deserializer", StringDeserializer.class.getName());
    p.put("max.poll.records", "5000");
    AtomicLong bytes = new AtomicLong();
    long count = 0;
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p)) {
      List<TopicPartition> parts = new ArrayList<>();
      for (int i = 0; i < PARTITIONS; i++) {
        parts.add(new TopicPartition(TOPIC, i));
      }
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      while (count < expected) {
        ConsumerRecords<String, String> batch = consumer.poll(Duration.ofMillis(500));
        for (var r : batch) {
          bytes.addAndGet(r.value().length());
          count++;
        }
      }
    }
    return count;
  }

  static void clean(String redisUrl, String prefix) {
    if (!redisUrl.contains(prefix)) {
      return;
    }
    try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(redisUrl))) {
      String cursor = ScanParams.SCAN_POINTER_START;
      do {
        ScanResult<String> page = redis.scan(cursor, new ScanParams().match(prefix + ":*").count(1000));
        if (!page.getResult().isEmpty()) {
          redis.del(page.getResult().toArray(new String[0]));
        }
        cursor = page.getCursor();
      } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
    } catch (RuntimeException e) {
      System.err.println("Cannot clean the benchmark's Redis keys (prefix " + prefix + "): " + e.getMessage());
    }
  }
}
