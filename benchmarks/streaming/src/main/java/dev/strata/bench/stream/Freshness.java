package dev.strata.bench.stream;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.online.EncodedTile;
import dev.strata.online.TileWriter;
import dev.strata.stream.DeadLetterSink;
import dev.strata.stream.StreamInput;
import dev.strata.stream.StreamPipeline;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Freshness: event → tile durable in the sink, at a steady rate. A producer thread sends the
 * flights sample's rows, cycled, with the event time set to the wall-clock send time (µs,
 * strictly increasing), and the partition chosen by origin, so one airport's events reach its
 * tiles in send order. The sink is wrapped: after each batch returns (Redis has it), every
 * {@code origin_delays} tile of the batch is logged with the completion time and its {@code
 * eventMicros} (the latest event of the key in that tile). An event is fresh at the first
 * completion of a write of its airport whose latest event is at or after its own: that write
 * holds it, since the airport's events are applied in order.
 */
final class Freshness {
  static final String GROUP = "origin_delays";
  /** Filled by the sink where the job runs: a local environment, this JVM. */
  static final ConcurrentLinkedQueue<long[]> WRITES = new ConcurrentLinkedQueue<>();
  /** Per batch the sink wrote: tiles, microseconds the write took. */
  static final ConcurrentLinkedQueue<long[]> BATCHES = new ConcurrentLinkedQueue<>();
  static final Map<String, Integer> KEY_IDS = new java.util.concurrent.ConcurrentHashMap<>();

  private static final long EPOCH_MICROS = System.currentTimeMillis() * 1000;
  private static final long NANO0 = System.nanoTime();

  private Freshness() {}

  /** Microseconds since the epoch on the monotonic clock, shared by the producer and the sink. */
  static long nowMicros() {
    return EPOCH_MICROS + (System.nanoTime() - NANO0) / 1000;
  }

  record Result(String sink, long sent, double rate, long measured, double p50, double p90, double p99, double max,
      double p50LastThird, long batches, double tilesPerBatch, double batchP50, double batchP99, double batchMax) {}

  /** Logs every write of the measured group after the wrapped sink has written it. */
  static final class Recording implements TileWriter.Factory {
    private static final long serialVersionUID = 1L;
    private final TileWriter.Factory inner;

    Recording(TileWriter.Factory inner) {
      this.inner = inner;
    }

    @Override
    public TileWriter open() {
      TileWriter sink = inner.open();
      return new TileWriter() {
        @Override
        public void write(List<EncodedTile> tiles) {
          long begin = nowMicros();
          sink.write(tiles);
          long done = nowMicros();
          BATCHES.add(new long[] {tiles.size(), done - begin});
          for (EncodedTile t : tiles) {
            if (t.group().equals(GROUP)) {
              WRITES.add(new long[] {KEY_IDS.getOrDefault((String) t.key().get(0), -1), t.latestEventMicros(), done});
            }
          }
        }

        @Override
        public void close() {
          sink.close();
        }
      };
    }
  }

  static Result run(String label, String servers, String topic, ProjectSnapshot project, CompiledSource source,
      List<Object[]> sample, TileWriter.Factory tiles, DeadLetterSink.Factory dead, int parallelism, int rate, int seconds)
      throws Exception {
    int partitions = 2;
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", servers))) {
      admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all().get();
    }
    WRITES.clear();
    BATCHES.clear();
    int originColumn = source.schema().indexOf("origin");
    for (Object[] row : sample) {
      // Numbered before the run, by this thread only: the sink just looks them up.
      if (row[originColumn] != null) {
        KEY_IDS.putIfAbsent((String) row[originColumn], KEY_IDS.size());
      }
    }
    StreamExecutionEnvironment env = StreamExecutionEnvironment.createLocalEnvironment(parallelism);
    env.enableCheckpointing(10_000);
    StreamPipeline.add(env, project, "flights", new StreamInput.Kafka(servers, topic, "fresh-" + topic, "json", false),
        new Recording(tiles), dead, StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    JobClient job = env.executeAsync("freshness " + label);
    Thread.sleep(5_000); // the job is up and reading (at the latest offsets it finds: the topic is empty)

    int t = source.schema().indexOf(source.timestamp());
    int origin = source.schema().indexOf("origin");
    int distance = source.schema().indexOf("distance");
    long total = (long) rate * seconds;
    long[] sentAt = new long[(int) total];
    int[] keyOf = new int[(int) total]; // -1: the group's filter drops it, not measured
    Properties p = new Properties();
    p.put("bootstrap.servers", servers);
    p.put("key.serializer", StringSerializer.class.getName());
    p.put("value.serializer", StringSerializer.class.getName());
    p.put("linger.ms", "5");
    com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
    long start = System.nanoTime();
    long last = 0;
    try (KafkaProducer<String, String> producer = new KafkaProducer<>(p)) {
      for (int i = 0; i < total; i++) {
        long due = start + i * 1_000_000_000L / rate;
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        Object[] row = sample.get(i % sample.size());
        long now = Math.max(nowMicros(), last + 1);
        last = now;
        var node = json.createObjectNode();
        for (int c = 0; c < row.length; c++) {
          String name = source.schema().field(c).name();
          if (c == t) {
            node.put(name, now);
          } else if (row[c] == null) {
            node.putNull(name);
          } else if (row[c] instanceof Long l) {
            node.put(name, l);
          } else {
            node.put(name, row[c].toString());
          }
        }
        String o = (String) row[origin];
        boolean measured = o != null && row[distance] != null && (Long) row[distance] > 0;
        keyOf[i] = measured ? KEY_IDS.get(o) : -1;
        sentAt[i] = now;
        int partition = Math.floorMod(o == null ? 0 : o.hashCode(), partitions);
        producer.send(new ProducerRecord<>(topic, partition, null, node.toString()));
      }
      producer.flush();
    }
    double sentRate = total / ((System.nanoTime() - start) / 1e9);
    Thread.sleep(5_000); // the last flushes
    job.cancel().get();

    // Per airport: writes by latest event, and the earliest completion among writes at or after each.
    Map<Integer, List<long[]>> byKey = new HashMap<>();
    for (long[] w : WRITES) {
      byKey.computeIfAbsent((int) w[0], k -> new ArrayList<>()).add(w);
    }
    Map<Integer, long[][]> index = new HashMap<>();
    byKey.forEach((k, ws) -> {
      ws.sort((a, b) -> Long.compare(a[1], b[1]));
      long[] latest = new long[ws.size()];
      long[] firstDone = new long[ws.size()];
      long min = Long.MAX_VALUE;
      for (int i = ws.size() - 1; i >= 0; i--) {
        min = Math.min(min, ws.get(i)[2]);
        latest[i] = ws.get(i)[1];
        firstDone[i] = min;
      }
      index.put(k, new long[][] {latest, firstDone});
    });
    // The first tenth is warm-up (JIT, connections), not reported.
    int from = (int) (total / 10);
    long[] lat = new long[(int) total - from];
    int n = 0;
    int unseen = 0;
    List<Long> lastThird = new ArrayList<>();
    for (int i = from; i < total; i++) {
      if (keyOf[i] < 0) {
        continue;
      }
      long[][] ix = index.get(keyOf[i]);
      int at = ix == null ? -1 : Arrays.binarySearch(ix[0], sentAt[i]);
      at = at >= 0 ? at : -at - 1;
      if (ix == null || at >= ix[0].length) {
        unseen++;
        continue;
      }
      long l = ix[1][at] - sentAt[i];
      lat[n++] = l;
      if (i >= total * 2 / 3) {
        lastThird.add(l);
      }
    }
    if (unseen > 0) {
      System.out.printf(Locale.ROOT, "%s: %,d events never became visible within 5 s of the last send%n", label, unseen);
    }
    long[] sorted = Arrays.copyOf(lat, n);
    Arrays.sort(sorted);
    long[] tail = lastThird.stream().mapToLong(Long::longValue).sorted().toArray();
    long[] batchMicros = BATCHES.stream().mapToLong(b -> b[1]).sorted().toArray();
    double tilesPerBatch = BATCHES.stream().mapToLong(b -> b[0]).average().orElse(Double.NaN);
    return new Result(label, total, sentRate, n, pct(sorted, 0.5), pct(sorted, 0.9), pct(sorted, 0.99),
        sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1000.0, pct(tail, 0.5),
        batchMicros.length, tilesPerBatch, pct(batchMicros, 0.5), pct(batchMicros, 0.99),
        batchMicros.length == 0 ? Double.NaN : batchMicros[batchMicros.length - 1] / 1000.0);
  }

  /** The q-quantile in milliseconds (nearest rank). */
  static double pct(long[] sortedMicros, double q) {
    if (sortedMicros.length == 0) {
      return Double.NaN;
    }
    int i = (int) Math.ceil(q * sortedMicros.length) - 1;
    return sortedMicros[Math.max(0, Math.min(i, sortedMicros.length - 1))] / 1000.0;
  }
}
