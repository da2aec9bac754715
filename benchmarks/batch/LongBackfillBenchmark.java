import dev.strata.batch.BackfillJob;
import dev.strata.batch.JobContext;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.batch.Progress;
import dev.strata.batch.StrataSpark;
import dev.strata.config.StrataConfig;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import javax.management.NotificationEmitter;
import javax.management.openmbean.CompositeData;
import org.apache.spark.sql.SparkSession;

/**
 * Long-range backfill benchmark (a harness, not a test): a small source spread over decades,
 * backfilled day by day over its whole range, with the heap limited by the command line
 * (-Xmx2g in RESULTS.md). Prints wall time, rows written and the peak heap: the most heap in use
 * (sampled every 10 ms, garbage included), the most heap still live after a collection, and the
 * heap's committed peak.
 *
 * <p>Data: KEYS station keys, EVENTS events between 1960-01-01 and the end of YEARS years (so
 * before and after 1970), one key holding a fifth of the events, a tenth of the keys with events
 * only in the first and the last year (a gap of decades), the rest spread evenly. One group with
 * a lifetime count, sum and max, a 1d and 7d sum and a 1h count, so every key has a snapshot row
 * every day from its first event on.
 *
 * <p>Args: WORKDIR [EVENTS (default 10000)] [KEYS (default 50)] [YEARS (default 36)]
 */
public final class LongBackfillBenchmark {
  static final String DEFINITIONS = """
      entities:
        station: { keys: { station: string } }
      sources:
        readings:
          type: events
          timestamp: ts
          schema: { ts: timestamp, station: string, value: double }
          batch: { path: data/readings.csv }
      feature_groups:
        station_stats:
          entity: station
          source: readings
          keys: { station: station }
          aggregations:
            - { name: readings, function: count, windows: [1h, lifetime] }
            - { name: total, function: sum, input: value, windows: [1d, 7d, lifetime] }
            - { name: peak, function: max, input: value, windows: [lifetime] }
      """;

  public static void main(String[] args) throws Exception {
    Path work = Path.of(args[0]).toAbsolutePath();
    int events = args.length > 1 ? Integer.parseInt(args[1]) : 10_000;
    int keys = args.length > 2 ? Integer.parseInt(args[2]) : 50;
    int years = args.length > 3 ? Integer.parseInt(args[3]) : 36;
    LocalDate from = LocalDate.parse("1960-01-01");
    LocalDate to = from.plusYears(years).minusDays(1);

    Path project = work.resolve("long-" + events + "-" + keys + "-" + years + "-" + System.currentTimeMillis());
    Files.createDirectories(project.resolve("data"));
    Files.writeString(project.resolve("features.yaml"), DEFINITIONS);
    Files.writeString(project.resolve("strata.yaml"), "warehouse: warehouse\n");
    Files.write(project.resolve("data/readings.csv"), generate(events, keys, from, to));

    HeapWatch heap = HeapWatch.start();
    SparkSession spark = StrataSpark.session(null);
    spark.sparkContext().setLogLevel("ERROR");
    StrataConfig config = StrataConfig.load(project);
    StrataSpark.registerCatalog(spark, config, "long");
    JobContext ctx = new JobContext(spark, config, ProjectSnapshot.read(project), "long", Progress.console());
    List<String> stages = new java.util.concurrent.CopyOnWriteArrayList<>();
    long[] started = {System.currentTimeMillis()};
    spark.sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted done) {
        var info = done.stageInfo();
        long ms = (long) info.completionTime().get() - (long) info.submissionTime().get();
        if (ms >= 300) {
          stages.add(String.format("  stage %d (%s): %d tasks, %.1f s, ended at %.1f s", info.stageId(), info.name().split(" ")[0],
              info.numTasks(), ms / 1e3, ((long) info.completionTime().get() - started[0]) / 1e3));
        }
      }
    });

    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long cpu0 = os.getProcessCpuTime();
    long t0 = System.nanoTime();
    started[0] = System.currentTimeMillis();
    BackfillJob.Result r = new BackfillJob(ctx).run("station_stats", from, to);
    double seconds = (System.nanoTime() - t0) / 1e9;
    double cpuSeconds = (os.getProcessCpuTime() - cpu0) / 1e9;
    heap.stop();

    long days = to.toEpochDay() - from.toEpochDay() + 1;
    System.out.println();
    System.out.println("| run | events | days | tiles | snapshot rows | time | CPU time | peak heap used | peak live heap | -Xmx |");
    System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    System.out.printf("| backfill %d keys over %d years | %,d | %,d | %,d | %,d | %.1f s | %.1f s | %s | %s | %s |%n", keys, years,
        r.events(), days, r.tiles(), r.snapshotRows(), seconds, cpuSeconds, mb(heap.peakUsed()), mb(heap.peakLive()),
        mb(Runtime.getRuntime().maxMemory()));
    System.out.println("(peak heap used: sampled every 10 ms, garbage included; peak live heap: the most heap in use right"
        + " after a collection, which for young collections still counts old garbage)");
    System.out.printf("(CPU time: the JVM's, all threads; machine load average at the end %.1f on %d cores)%n",
        os.getSystemLoadAverage(), os.getAvailableProcessors());
    System.out.println("Spark stages of 0.3 s or more:");
    stages.forEach(System.out::println);
    System.exit(0);
  }

  /** CSV lines (header first) of the benchmark's events, in no particular order. */
  static List<String> generate(int events, int keys, LocalDate from, LocalDate to) {
    Random random = new Random(42);
    long start = from.atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    long end = to.plusDays(1).atStartOfDay(ZoneOffset.UTC).toEpochSecond();
    long year = 366L * 86_400;
    List<String> lines = new ArrayList<>();
    lines.add("ts,station,value");
    for (int i = 0; i < events; i++) {
      int k = random.nextInt(5) == 0 ? 0 : random.nextInt(keys);
      long second;
      if (k % 10 == 9) {
        // Sparse keys: the first and the last year only, decades of silence between.
        second = random.nextBoolean() ? start + (long) (random.nextDouble() * year) : end - 1 - (long) (random.nextDouble() * year);
      } else {
        second = start + (long) (random.nextDouble() * (end - start));
      }
      lines.add(Instant.ofEpochSecond(second) + ",s" + k + "," + Math.round(random.nextGaussian() * 1000) / 10.0);
    }
    return lines;
  }

  static String mb(long bytes) {
    return String.format("%,d MB", bytes / (1024 * 1024));
  }

  /** The heap's peaks while the run lasts. */
  static final class HeapWatch {
    private final AtomicLong peakUsed = new AtomicLong();
    private final AtomicLong peakLive = new AtomicLong();
    private volatile boolean running = true;
    private Thread sampler;

    static HeapWatch start() {
      HeapWatch w = new HeapWatch();
      for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
        pool.resetPeakUsage();
      }
      for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
        ((NotificationEmitter) gc).addNotificationListener((n, handback) -> {
          if (!"com.sun.management.gc.notification".equals(n.getType())) {
            return;
          }
          var info = com.sun.management.GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
          long after = info.getGcInfo().getMemoryUsageAfterGc().entrySet().stream()
              .filter(e -> isHeap(e.getKey())).mapToLong(e -> e.getValue().getUsed()).sum();
          w.peakLive.accumulateAndGet(after, Math::max);
        }, null, null);
      }
      w.sampler = new Thread(() -> {
        while (w.running) {
          w.peakUsed.accumulateAndGet(ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(), Math::max);
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            return;
          }
        }
      }, "heap-sampler");
      w.sampler.setDaemon(true);
      w.sampler.start();
      return w;
    }

    private static boolean isHeap(String pool) {
      return ManagementFactory.getMemoryPoolMXBeans().stream()
          .anyMatch(p -> p.getName().equals(pool) && p.getType() == MemoryType.HEAP);
    }

    void stop() throws InterruptedException {
      running = false;
      sampler.join();
    }

    long peakUsed() {
      return peakUsed.get();
    }

    long peakLive() {
      return peakLive.get();
    }
  }
}
