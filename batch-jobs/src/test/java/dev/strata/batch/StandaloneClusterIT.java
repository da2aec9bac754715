package dev.strata.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 8: the job jar the manifests reference runs on a Spark standalone cluster — a master
 * and two workers, each its own process — through {@code spark-submit --master spark://…}, and
 * writes the same tables and training set as local mode.
 *
 * <p>The cluster's Spark installation is this module's test classpath minus Strata's own classes
 * (a real one has the same third-party jars under {@code $SPARK_HOME/jars}), so the executors load
 * Strata only from the submitted jar, as on a real cluster.
 */
class StandaloneClusterIT {
  private static final String MAIN = BatchJob.class.getName();
  private static final List<String> RANGE = List.of("--from", "2001-01-01", "--to", "2001-01-04");

  @TempDir
  static Path tmp;

  private static final List<Process> CLUSTER = new ArrayList<>();
  private static Path sparkHome;
  private static String masterUrl;

  @BeforeAll
  static void startCluster() throws Exception {
    sparkHome = sparkHome(tmp.resolve("spark"));
    // A test JVM stopped from outside (a fork timeout, Ctrl-C, a cancelled CI) takes the cluster down with it.
    Runtime.getRuntime().addShutdownHook(new Thread(StandaloneClusterIT::stopCluster, "spark-cluster-shutdown"));
    int port = freePort();
    masterUrl = "spark://127.0.0.1:" + port;
    Path masterLog = tmp.resolve("master.log");
    CLUSTER.add(start(masterLog, "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
        String.valueOf(port), "--webui-port", String.valueOf(freePort())));
    awaitLine(masterLog, "I have been elected leader", 120);
    for (int i = 1; i <= 2; i++) {
      Path log = tmp.resolve("worker" + i + ".log");
      CLUSTER.add(start(log, "org.apache.spark.deploy.worker.Worker", masterUrl, "--host", "127.0.0.1", "--cores", "1",
          "--memory", "1g", "--webui-port", String.valueOf(freePort()), "--work-dir", tmp.resolve("work" + i).toString()));
      awaitLine(log, "Successfully registered with master", 120);
    }
  }

  @AfterAll
  static void stopCluster() {
    for (Process p : CLUSTER) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
  }

  @Test
  void backfillAndTrainingSetOnTheClusterEqualLocalMode() throws Exception {
    Path onCluster = TestProjects.copyExample(tmp.resolve("cluster"));
    Path local = TestProjects.copyExample(tmp.resolve("local"));
    for (Path project : List.of(onCluster, local)) {
      String master = project == onCluster ? masterUrl : "local[2]";
      List<String> backfill = new ArrayList<>(List.of("backfill", "--all"));
      backfill.addAll(RANGE);
      submit(master, project, backfill);
      submit(master, project, List.of("training-set", "delay_training", "--out", project.resolve("ts.parquet").toString()));
    }

    assertThat(executorLogs()).as("tasks ran in the workers' executors, not in the driver")
        .anySatisfy(log -> assertThat(log).contains("Finished task"));

    SparkSession session = SparkTestSession.get();
    for (String group : List.of("origin_delays", "destination_delays", "route_delays")) {
      for (String table : List.of(group, group + "__tiles")) {
        List<String> cluster = TestProjects.rows(session.newSession(), onCluster, table);
        assertThat(cluster).as(table).isNotEmpty().isEqualTo(TestProjects.rows(session.newSession(), local, table));
      }
    }
    List<String> clusterSet = parquet(session, onCluster.resolve("ts.parquet"));
    assertThat(clusterSet).as("the training set").hasSizeGreaterThan(1_000)
        .isEqualTo(parquet(session, local.resolve("ts.parquet")));
  }

  private static List<String> parquet(SparkSession session, Path file) {
    return session.read().parquet(file.toString()).collectAsList().stream().map(TestProjects::text).sorted().toList();
  }

  /** Runs spark-submit (client mode: the driver is this child process) and waits for it. */
  private static void submit(String master, Path project, List<String> jobArgs) throws Exception {
    Path jar = Path.of("target", "strata-batch-jobs.jar").toAbsolutePath();
    assertThat(jar).as("the job jar (built in the package phase)").exists();
    String flags = System.getProperty("spark.jvm.flags", "");
    List<String> cmd = new ArrayList<>(List.of(java()));
    cmd.addAll(List.of(flags.split("\\s+")));
    cmd.addAll(List.of("-Xmx1g", "-cp", sparkHome.resolve("jars") + File.separator + "*",
        "org.apache.spark.deploy.SparkSubmit", "--master", master, "--class", MAIN,
        "--conf", "spark.driver.host=127.0.0.1", "--conf", "spark.executor.memory=768m",
        "--conf", "spark.sql.shuffle.partitions=4", "--conf", "spark.executor.extraJavaOptions=" + flags,
        jar.toString(), "--project", project.toString()));
    cmd.addAll(jobArgs);
    Path log = tmp.resolve("submit-" + System.nanoTime() + ".log");
    long started = System.nanoTime();
    Process p = processBuilder(cmd, log).start();
    boolean done = p.waitFor(10, TimeUnit.MINUTES);
    if (!done) {
      p.destroyForcibly();
    }
    System.out.printf(java.util.Locale.ROOT, "spark-submit %s on %s: %.1f s%n", String.join(" ", jobArgs), master,
        (System.nanoTime() - started) / 1e9);
    assertThat(done && p.exitValue() == 0).as("spark-submit " + String.join(" ", jobArgs) + " on " + master + ":\n" + tail(log))
        .isTrue();
  }

  private static List<String> executorLogs() throws IOException {
    List<String> logs = new ArrayList<>();
    for (int i = 1; i <= 2; i++) {
      Path work = tmp.resolve("work" + i);
      if (!Files.isDirectory(work)) {
        continue;
      }
      try (Stream<Path> files = Files.walk(work)) {
        for (Path f : (Iterable<Path>) files.filter(f -> f.getFileName().toString().equals("stderr"))::iterator) {
          logs.add(Files.readString(f, StandardCharsets.UTF_8));
        }
      }
    }
    return logs;
  }

  /** A Spark home whose jars/ is the test classpath without Strata's own classes and jars. */
  private static Path sparkHome(Path home) throws IOException {
    Path jars = Files.createDirectories(home.resolve("jars"));
    // surefire.test.class.path: the real classpath when the forked JVM starts from a manifest-only jar
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String entry : classpath.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p) && !entry.contains("/dev/strata/")
          && !entry.contains(File.separator + "target" + File.separator)) {
        Path link = jars.resolve(p.getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, p.toAbsolutePath());
        }
      }
    }
    try (Stream<Path> linked = Files.list(jars)) {
      assertThat(linked.count()).as("jars of the Spark home from the classpath " + classpath).isGreaterThan(100);
    }
    // A real installation marks itself with RELEASE; Spark's launcher then takes jars/ as the classpath.
    Files.writeString(home.resolve("RELEASE"), "Spark (Strata's test classpath)\n", StandardCharsets.UTF_8);
    return home;
  }

  private static Process start(Path log, String mainClass, String... args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx512m", "-cp", sparkHome.resolve("jars") + File.separator + "*",
        mainClass));
    cmd.addAll(List.of(args));
    return processBuilder(cmd, log).start();
  }

  private static ProcessBuilder processBuilder(List<String> cmd, Path log) {
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("SPARK_HOME", sparkHome.toString());
    pb.environment().put("SPARK_SCALA_VERSION", "2.13"); // no build directories to guess it from
    pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
    return pb;
  }

  private static void awaitLine(Path log, String text, int seconds) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && new String(Files.readAllBytes(log), StandardCharsets.UTF_8).contains(text)) {
        return;
      }
      Thread.sleep(250);
    }
    throw new AssertionError("'" + text + "' not in " + log + " after " + seconds + " s:\n" + tail(log));
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no output)";
    }
    List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
