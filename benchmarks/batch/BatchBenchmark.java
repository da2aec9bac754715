import dev.strata.batch.BackfillJob;
import dev.strata.batch.JobContext;
import dev.strata.batch.Progress;
import dev.strata.batch.StrataSpark;
import dev.strata.batch.TrainingSetJob;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;

/**
 * Batch benchmark (a harness, not a test): backfill and a training set with every flight as
 * spine (label delay > 15) against 4 feature groups with windows 1h..30d, at 1x, 2x, 4x input
 * (1x = a quarter of flights-3m.parquet, 4x = all of it), beside a plain Spark SQL rendition
 * (self-join on key with a time-range condition, then aggregate) run with a time limit.
 * Checks the 4x training set against the oracle on a sample of spine rows. See RESULTS.md.
 *
 * <p>Args: DATASET WORKDIR [SQL_LIMIT_MINUTES, 0 skips the SQL rendition] [SCALES e.g. 1,2,4]; -Dbench.stages=true prints
 * the Spark stages of 0.2 s or more; -Dbench.skip=backfill or training leaves that run out. CPU time is the JVM's, all
 * threads (steadier than wall time when other builds share the machine).
 */
public final class BatchBenchmark {
  static final String DEFINITIONS = """
      entities:
        airport: { keys: { airport: string } }
        route:   { keys: { origin: string, destination: string } }
      sources:
        flights:
          type: events
          timestamp: date
          schema: { date: timestamp, delay: int, distance: int, origin: string, destination: string }
          batch: { path: data/flights.parquet }
      feature_groups:
        origin_delays:
          entity: airport
          source: flights
          keys: { airport: origin }
          aggregations:
            - { name: avg_delay, function: avg, input: delay, windows: [1h, 1d, 7d, 30d] }
            - { name: flights,   function: count,             windows: [1h, 1d, 7d, 30d] }
        destination_delays:
          entity: airport
          source: flights
          keys: { airport: destination }
          aggregations:
            - { name: avg_delay, function: avg, input: delay, windows: [1h, 1d, 7d, 30d] }
            - { name: flights,   function: count,             windows: [1h, 1d, 7d, 30d] }
        route_delays:
          entity: route
          source: flights
          keys: { origin: origin, destination: destination }
          aggregations:
            - { name: avg_delay, function: avg, input: delay, windows: [1d, 7d, 30d] }
            - { name: flights,   function: count,             windows: [1d, 7d, 30d] }
        origin_late:
          entity: airport
          source: flights
          keys: { airport: origin }
          aggregations:
            - { name: late_share, function: avg, input: "CASE WHEN delay > 15 THEN 1.0 ELSE 0.0 END", windows: [1h, 1d, 7d, 30d] }
            - { name: max_delay,  function: max, input: delay, windows: [1d] }
      feature_services:
        delays:
          features: [origin_delays.*, destination_delays.*, route_delays.*, origin_late.*]
      training_sets:
        every_flight:
          service: delays
          spine: { source: flights, keys: { airport: origin, route: [origin, destination] }, label: "delay > 15" }
      """;

  record Line(String what, long rows, double seconds, double cpuSeconds, String note) {
    Line(String what, long rows, double seconds, String note) {
      this(what, rows, seconds, 0, note);
    }
  }

  static final com.sun.management.OperatingSystemMXBean OS =
      (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();

  /** The JVM's CPU time so far, all threads, in seconds: steadier than wall time on a shared machine. */
  static double cpu() {
    return OS.getProcessCpuTime() / 1e9;
  }

  public static void main(String[] args) throws Exception {
    Path dataset = Path.of(args[0]).toAbsolutePath();
    Path work = Path.of(args[1]).toAbsolutePath();
    int sqlLimit = args.length > 2 ? Integer.parseInt(args[2]) : 20;
    int[] scales = args.length > 3 ? java.util.Arrays.stream(args[3].split(",")).mapToInt(Integer::parseInt).toArray() : new int[] {1, 2, 4};
    SparkSession spark = StrataSpark.session(null);
    spark.sparkContext().setLogLevel("ERROR");
    List<Line> lines = new ArrayList<>();
    if (Boolean.getBoolean("bench.stages")) {
      reportStages(spark);
    }

    Dataset<Row> all = spark.read().parquet(dataset.toString());
    for (int scale : scales) {
      Path project = work.resolve("x" + scale);
      Files.createDirectories(project.resolve("data"));
      Files.writeString(project.resolve("features.yaml"), DEFINITIONS);
      Files.writeString(project.resolve("strata.yaml"), "warehouse: warehouse\n");
      Path data = project.resolve("data/flights.parquet");
      if (!Files.exists(data)) {
        // 1x = every 4th flight by a stable hash; 2x = half; 4x = all.
        all.where(functions.pmod(functions.xxhash64(functions.col("date"), functions.col("origin"),
                functions.col("destination"), functions.col("delay")), functions.lit(4)).lt(scale))
            .write().parquet(data.toString());
      }
      StrataConfig config = StrataConfig.load(project);
      String catalog = "bench" + scale;
      StrataSpark.registerCatalog(spark, config, catalog);
      JobContext ctx = new JobContext(spark, config, ProjectSnapshot.read(project), catalog, Progress.console());
      long events = ctx.read(ctx.plan().source("flights").orElseThrow()).rows();

      String skip = System.getProperty("bench.skip", "");
      if (!skip.equals("backfill")) {
        long t0 = System.nanoTime();
        double c0 = cpu();
        for (String g : List.of("origin_delays", "destination_delays", "route_delays", "origin_late")) {
          new BackfillJob(ctx).run(g, LocalDate.parse("2001-01-01"), LocalDate.parse("2001-06-30"));
        }
        lines.add(new Line("Strata backfill, 4 groups, " + scale + "x", events, secs(t0), cpu() - c0,
            "tiles + daily snapshots to Iceberg (SQLite catalog)"));
      }

      Path out = work.resolve("ts-x" + scale + ".parquet");
      if (!skip.equals("training")) {
        long t0 = System.nanoTime();
        double c0 = cpu();
        new TrainingSetJob(ctx).compute("every_flight", null).write().mode("overwrite").parquet(out.toString());
        double s = secs(t0);
        double c = cpu() - c0;
        long rows = spark.read().parquet(out.toString()).count();
        lines.add(new Line("Strata training set, " + scale + "x", rows, s, c, events + " events, spine = every flight, 27 features"));
      }
      print(lines);
      if (skip.equals("training")) {
        continue;
      }

      if (scale == scales[scales.length - 1]) {
        lines.add(new Line("oracle check, " + scale + "x", checkOracle(spark, ctx, out), 0, "spine rows compared, all equal"));
      }
    }
    if (sqlLimit <= 0) {
      System.exit(0); // the plain SQL rendition is skipped with a limit of 0 minutes
    }
    // Last, so that a cancelled query still winding down cannot slow Strata's runs.
    Path first = work.resolve("x" + scales[0]).resolve("data/flights.parquet");
    long firstEvents = spark.read().parquet(first.toString()).count();
    lines.add(sqlRendition(spark, first, firstEvents, sqlLimit, scales[0]));
    print(lines);
    System.exit(0);
  }

  /** With -Dbench.stages=true: prints each Spark stage of 0.2 s or more as it completes (where the time goes). */
  static void reportStages(SparkSession spark) {
    long started = System.currentTimeMillis();
    spark.sparkContext().addSparkListener(new org.apache.spark.scheduler.SparkListener() {
      @Override
      public void onStageCompleted(org.apache.spark.scheduler.SparkListenerStageCompleted done) {
        var info = done.stageInfo();
        long ms = (long) info.completionTime().get() - (long) info.submissionTime().get();
        if (ms >= 200) {
          String call = info.details().lines().filter(l -> l.contains("dev.strata") && !l.contains("BatchBenchmark"))
              .findFirst().orElse(info.name()).strip();
          System.out.printf("  stage %d %s: %d tasks, %.1f s, ended at %.1f s%n", info.stageId(), call,
              info.numTasks(), ms / 1e3, ((long) info.completionTime().get() - started) / 1e3);
        }
      }
    });
  }

  static String loadAverage() {
    try {
      return Files.readString(Path.of("/proc/loadavg")).strip();
    } catch (java.io.IOException e) {
      return String.format("%.2f", OS.getSystemLoadAverage());
    }
  }

  static double secs(long t0) {
    return (System.nanoTime() - t0) / 1e9;
  }

  static void print(List<Line> lines) {
    System.out.println();
    System.out.printf("load average %s%n", loadAverage());
    System.out.println("| run | rows | time | CPU time | rows/s | note |");
    System.out.println("|---|---:|---:|---:|---:|---|");
    for (Line l : lines) {
      System.out.printf("| %s | %,d | %s | %s | %s | %s |%n", l.what(), l.rows(),
          l.seconds() > 0 ? String.format("%.1f s", l.seconds()) : "-",
          l.cpuSeconds() > 0 ? String.format("%.1f s", l.cpuSeconds()) : "-",
          l.seconds() > 0 ? String.format("%,.0f", l.rows() / l.seconds()) : "-", l.note());
    }
    System.out.flush();
  }

  /** The same training set in plain Spark SQL: per group a range self-join, then conditional aggregates. */
  static Line sqlRendition(SparkSession spark, Path data, long events, int limitMinutes, int scale) throws Exception {
    spark.read().parquet(data.toString()).createOrReplaceTempView("raw");
    spark.sql("""
        CREATE OR REPLACE TEMP VIEW ev AS
        SELECT unix_micros(to_utc_timestamp(CAST(date AS TIMESTAMP), 'UTC')) AS t, CAST(delay AS BIGINT) AS delay, origin, destination
        FROM raw""");
    spark.sql("CREATE OR REPLACE TEMP VIEW spine AS SELECT monotonically_increasing_id() AS id, * FROM ev");
    long m = 60_000_000L, h = 60 * m, d = 24 * h;
    String group = """
        SELECT s.id, %s
        FROM spine s LEFT JOIN ev e ON %s AND e.t >= s.t - %d - pmod(s.t - %d, %d) AND e.t < s.t
        GROUP BY s.id""";
    String w = "e.t >= s.t - %d - pmod(s.t - %d, %d)";
    List<String> aggs = new ArrayList<>();
    long[][] windows = {{h, m}, {d, h}, {7 * d, h}, {30 * d, d}};
    for (long[] x : windows) {
      String in = String.format(w, x[0], x[0], x[1]);
      aggs.add("avg(IF(" + in + ", e.delay, NULL))");
      aggs.add("count(IF(" + in + ", 1, NULL))");
    }
    String origin = String.format(group, String.join(", ", aggs), "e.origin = s.origin", 30 * d, 30 * d, d);
    String dest = String.format(group, String.join(", ", aggs), "e.destination = s.destination", 30 * d, 30 * d, d);
    String route = String.format(group, String.join(", ", aggs.subList(2, 8)), "e.origin = s.origin AND e.destination = s.destination", 30 * d, 30 * d, d);
    List<String> late = new ArrayList<>();
    for (long[] x : windows) {
      late.add("avg(IF(" + String.format(w, x[0], x[0], x[1]) + ", IF(e.delay > 15, 1.0, 0.0), NULL))");
    }
    late.add("max(IF(" + String.format(w, d, d, h) + ", e.delay, NULL))");
    String lateSql = String.format(group, String.join(", ", late), "e.origin = s.origin", 30 * d, 30 * d, d);
    String sql = "SELECT * FROM (" + origin + ") a JOIN (" + dest + ") b USING (id) JOIN (" + route + ") c USING (id) JOIN ("
        + lateSql + ") l USING (id)";
    ExecutorService ex = Executors.newSingleThreadExecutor();
    long t0 = System.nanoTime();
    Future<Long> f = ex.submit(() -> {
      spark.sparkContext().setJobGroup("sql", "plain SQL rendition", true);
      spark.sql(sql).write().format("noop").mode("overwrite").save();
      return events;
    });
    try {
      f.get(limitMinutes, TimeUnit.MINUTES);
      return new Line("plain Spark SQL self-join, " + scale + "x", events, secs(t0), "same features, exact");
    } catch (TimeoutException e) {
      spark.sparkContext().cancelJobGroup("sql");
      f.cancel(true);
      return new Line("plain Spark SQL self-join, " + scale + "x", events, 0, "did not finish in " + limitMinutes + " min (cancelled)");
    } finally {
      ex.shutdownNow();
    }
  }

  /** Compares 40 spine rows of small airports with the oracle, given the events of their keys. */
  static long checkOracle(SparkSession spark, JobContext ctx, Path out) {
    CompiledPlan plan = ctx.plan();
    List<Row> sample = spark.read().parquet(out.toString())
        .where("origin IN ('BOI', 'ELP', 'TUS') AND date >= TIMESTAMP '2001-03-01 00:00:00'")
        .orderBy("date", "origin", "destination", "delay").limit(40).collectAsList();
    Set<String> airports = new HashSet<>();
    for (Row r : sample) {
      airports.add(r.getString(r.fieldIndex("origin")));
      airports.add(r.getString(r.fieldIndex("destination")));
    }
    List<Object[]> events = new ArrayList<>();
    for (Row r : ctx.read(plan.source("flights").orElseThrow()).events()
        .where(functions.col("origin").isin(airports.toArray()).or(functions.col("destination").isin(airports.toArray())))
        .collectAsList()) {
      events.add(new Object[] {r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)});
    }
    Oracle oracle = new Oracle(plan);
    List<Object[]> spine = new ArrayList<>();
    for (Row r : sample) {
      java.time.Instant i = (java.time.Instant) r.get(r.fieldIndex("date"));
      spine.add(new Object[] {i.getEpochSecond() * 1_000_000L + i.getNano() / 1000, r.get(1), r.get(2), r.get(3), r.get(4)});
    }
    var expected = oracle.trainingSet("every_flight", Map.of("flights", events), spine);
    var service = plan.service("delays").orElseThrow();
    for (int i = 0; i < sample.size(); i++) {
      for (var f : service.features()) {
        Object got = sample.get(i).get(sample.get(i).fieldIndex(TrainingSetJob.columnName(f.qualifiedName())));
        Object want = expected.get(i).features().get(f.qualifiedName());
        if (!Objects.equals(got, want)) {
          throw new IllegalStateException("Cannot confirm the benchmark's training set: " + f.qualifiedName() + " of row " + i
              + " is " + got + ", the oracle says " + want);
        }
      }
    }
    return sample.size();
  }
}
