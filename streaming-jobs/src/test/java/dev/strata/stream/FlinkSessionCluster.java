package dev.strata.stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.GlobalConfiguration;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessSpec;
import org.apache.flink.runtime.clusterframework.TaskExecutorProcessUtils;
import org.apache.flink.runtime.jobmanager.JobManagerProcessSpec;
import org.apache.flink.runtime.jobmanager.JobManagerProcessUtils;
import org.apache.flink.runtime.util.config.memory.ProcessMemoryUtils;

/**
 * A Flink standalone session cluster on this machine, every part its own JVM started as Flink's
 * scripts start it: the JobManager ({@code StandaloneSessionClusterEntrypoint}, what {@code
 * bin/jobmanager.sh} runs), TaskManagers ({@code TaskManagerRunner}, {@code bin/taskmanager.sh}) and
 * the client ({@code CliFrontend}, {@code bin/flink run}), all reading {@code FLINK_CONF_DIR}'s
 * generated {@code config.yaml}. The JVM memory flags and dynamic properties come from Flink's own
 * calculation (what the scripts get from {@code BashJavaUtils}).
 *
 * <p>The installation ({@code <home>/lib}, what a distribution's {@code lib/} is) is this module's
 * test classpath without Strata's own classes and jars: Flink's runtime, client and RocksDB state
 * backend and their dependencies (snakeyaml-engine, commons-*, ...), and Strata's third-party
 * libraries beside them, as the Spark cluster of batch-jobs' StandaloneClusterIT. Strata loads only
 * from the submitted job jar (user code is child-first: the jar's copies of the libraries win, as
 * on a real cluster). ({@code target/flink-lib} is not enough: it lacks the jars that the job jar
 * also carries, such as snakeyaml-engine, which Flink needs to read config.yaml.)
 *
 * <p>Every process writes its own log under {@code <home>/log}; {@link #diagnostics()} gives their
 * tails for a failure message. {@link #close()} kills every process this object started, with its
 * descendants.
 */
final class FlinkSessionCluster implements AutoCloseable {
  /** The add-opens/-exports of a Flink 2 distribution's config.yaml ({@code env.java.default-opts.all}), needed on Java 17. */
  static final String JAVA_OPTS = String.join(" ",
      "--add-exports=java.base/sun.net.util=ALL-UNNAMED", "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
      "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED",
      "--add-opens=java.base/java.lang=ALL-UNNAMED", "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED", "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.text=ALL-UNNAMED", "--add-opens=java.base/java.time=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED", "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED");

  private static final long STARTED = System.nanoTime();

  final Path home;
  final Path conf;
  final Path checkpoints;
  final int restPort;
  private final Path lib;
  private final Map<Process, Path> logs = new LinkedHashMap<>();
  private final List<Process> taskManagers = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ObjectMapper json = new ObjectMapper();

  private FlinkSessionCluster(Path home, Path lib) throws IOException {
    this.home = home;
    this.lib = lib.toAbsolutePath();
    this.conf = Files.createDirectories(home.resolve("conf"));
    this.checkpoints = Files.createDirectories(home.resolve("checkpoints"));
    Files.createDirectories(home.resolve("log"));
    Files.createDirectories(home.resolve("tmp"));
    this.restPort = freePort();
    // A test JVM stopped from outside (a fork timeout, Ctrl-C) still takes the cluster down with it.
    Runtime.getRuntime().addShutdownHook(new Thread(this::close, "flink-cluster-shutdown"));
  }

  /**
   * Writes the configuration, starts the JobManager and one TaskManager, and returns once the
   * TaskManager has registered (its slots are offered to jobs).
   */
  static FlinkSessionCluster start(Path home, int slots) throws Exception {
    FlinkSessionCluster cluster = new FlinkSessionCluster(home, installation(home.resolve("lib")));
    try {
      cluster.writeConfig(slots);
      cluster.startJobManager();
      // Started together, as start-cluster.sh does: the TaskManager retries until the JobManager answers.
      cluster.startTaskManager();
      cluster.awaitRest(Duration.ofSeconds(150));
      log("JobManager up, REST at http://127.0.0.1:%d", cluster.restPort);
      cluster.awaitTaskManagers(1, Duration.ofSeconds(150));
      return cluster;
    } catch (Exception | AssertionError e) {
      String logs = cluster.diagnostics();
      cluster.close();
      throw new IllegalStateException("Cannot start the Flink session cluster: " + e.getMessage() + "\n" + logs, e);
    }
  }

  /**
   * A config.yaml for one machine: loopback addresses, free ports, small memory, RocksDB state
   * with checkpoints in {@link #checkpoints} (a folder every process reaches), fast detection of a
   * lost TaskManager (a refused heartbeat RPC, twice), fixed-delay restarts, and REST statistics
   * never cached (the test reads the checkpoint a restore used).
   */
  private void writeConfig(int slots) throws IOException {
    Map<String, String> c = new LinkedHashMap<>();
    c.put("jobmanager.rpc.address", "127.0.0.1");
    c.put("jobmanager.rpc.port", Integer.toString(freePort()));
    c.put("jobmanager.bind-host", "127.0.0.1");
    c.put("jobmanager.memory.process.size", "1024m");
    c.put("rest.address", "127.0.0.1");
    c.put("rest.bind-address", "127.0.0.1");
    c.put("rest.port", Integer.toString(restPort));
    c.put("rest.cache.checkpoint-statistics.timeout", "0 ms");
    c.put("rest.cache.execution-graph.timeout", "0 ms");
    c.put("taskmanager.host", "127.0.0.1");
    c.put("taskmanager.bind-host", "127.0.0.1");
    c.put("taskmanager.numberOfTaskSlots", Integer.toString(slots));
    c.put("taskmanager.memory.process.size", "1280m");
    c.put("taskmanager.memory.managed.size", "128m");
    c.put("state.backend.type", "rocksdb");
    c.put("execution.checkpointing.dir", checkpoints.toUri().toString());
    c.put("restart-strategy.type", "fixed-delay");
    c.put("restart-strategy.fixed-delay.attempts", "10");
    c.put("restart-strategy.fixed-delay.delay", "1 s");
    c.put("heartbeat.interval", "2 s");
    c.put("heartbeat.timeout", "30 s");
    c.put("io.tmp.dirs", home.resolve("tmp").toString());
    c.put("env.java.default-opts.all", JAVA_OPTS);
    StringBuilder yaml = new StringBuilder("# Written by FlinkSessionCluster (Flink 2 config.yaml, flattened keys)\n");
    c.forEach((k, v) -> yaml.append(k).append(": \"").append(v).append("\"\n"));
    Files.writeString(conf.resolve("config.yaml"), yaml, StandardCharsets.UTF_8);
    // Flink's scripts pass -Dlog4j.configurationFile=conf/log4j*.properties; one file serves every process here.
    Files.writeString(conf.resolve("log4j.properties"), String.join("\n",
        "rootLogger.level = INFO",
        "rootLogger.appenderRef.console.ref = console",
        "appender.console.type = Console",
        "appender.console.name = console",
        "appender.console.layout.type = PatternLayout",
        "appender.console.layout.pattern = %d{HH:mm:ss,SSS} %-5p %c{1} - %m%n",
        "logger.pekko.name = org.apache.pekko",
        "logger.pekko.level = WARN",
        "logger.netty.name = org.apache.flink.shaded.netty4",
        "logger.netty.level = WARN",
        ""), StandardCharsets.UTF_8);
  }

  /** A lib/ of links to the test classpath's jars, less Strata's (its artifacts and the reactor's target folders). */
  private static Path installation(Path lib) throws IOException {
    Files.createDirectories(lib);
    // surefire.test.class.path: the real classpath when the forked JVM starts from a manifest-only jar
    String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    for (String entry : classpath.split(File.pathSeparator)) {
      Path p = Path.of(entry);
      if (entry.endsWith(".jar") && Files.isRegularFile(p) && !entry.contains("/dev/strata/")
          && !entry.contains(File.separator + "target" + File.separator)) {
        Path link = lib.resolve(p.getFileName());
        if (!Files.exists(link)) {
          Files.createSymbolicLink(link, p.toAbsolutePath());
        }
      }
    }
    try (var jars = Files.list(lib)) {
      if (jars.noneMatch(j -> j.getFileName().toString().startsWith("flink-runtime-"))) {
        throw new IllegalStateException("Cannot start a Flink cluster: no flink-runtime jar on the classpath " + classpath);
      }
    }
    return lib;
  }

  private Configuration configuration() {
    return GlobalConfiguration.loadConfiguration(conf.toString());
  }

  private void startJobManager() throws IOException {
    JobManagerProcessSpec spec = JobManagerProcessUtils.processSpecFromConfig(configuration());
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    args.addAll(words(JobManagerProcessUtils.generateDynamicConfigsStr(spec)));
    start("jobmanager", words(JobManagerProcessUtils.generateJvmParametersStr(spec, configuration())),
        "org.apache.flink.runtime.entrypoint.StandaloneSessionClusterEntrypoint", args);
  }

  /** Starts a TaskManager (it registers with the JobManager by itself). */
  Process startTaskManager() throws IOException {
    TaskExecutorProcessSpec spec = TaskExecutorProcessUtils.processSpecFromConfig(configuration());
    List<String> args = new ArrayList<>(List.of("--configDir", conf.toString()));
    args.addAll(words(TaskExecutorProcessUtils.generateDynamicConfigsStr(spec)));
    Process p = start("taskmanager-" + (taskManagers.size() + 1), words(ProcessMemoryUtils.generateJvmParametersStr(spec)),
        "org.apache.flink.runtime.taskexecutor.TaskManagerRunner", args);
    taskManagers.add(p);
    log("TaskManager %d started (pid %d)", taskManagers.size(), p.pid());
    return p;
  }

  /**
   * {@code flink run -d <jar> <args>}: the client runs the job's main, which submits the job and
   * returns (detached, as a long-running stream is submitted).
   */
  Process submitDetached(Path jar, List<String> jobArgs) throws IOException {
    List<String> args = new ArrayList<>(List.of("run", "-d", jar.toString()));
    args.addAll(jobArgs);
    return start("flink-run", List.of("-Xmx512m"), "org.apache.flink.client.cli.CliFrontend", args);
  }

  /** Kills the newest TaskManager as {@code kill -9} does (SIGKILL: no shutdown hook runs) and waits for it to be gone. */
  long killTaskManager() throws InterruptedException {
    Process p = taskManagers.get(taskManagers.size() - 1);
    p.destroyForcibly();
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      throw new AssertionError("TaskManager pid " + p.pid() + " still alive 30 s after SIGKILL");
    }
    log("TaskManager pid %d killed (SIGKILL), exit %d", p.pid(), p.exitValue());
    return p.pid();
  }

  private synchronized Process start(String name, List<String> jvm, String main, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(jvm);
    cmd.addAll(words(JAVA_OPTS));
    cmd.add("-Dlog4j.configurationFile=" + conf.resolve("log4j.properties").toUri());
    cmd.add("-Djava.io.tmpdir=" + home.resolve("tmp"));
    cmd.add("-cp");
    cmd.add(lib + File.separator + "*");
    cmd.add(main);
    cmd.addAll(args);
    Path log = home.resolve("log").resolve(name + ".log");
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("FLINK_CONF_DIR", conf.toString());
    // The project's strata.yaml and the job's options decide, not the environment the build runs in.
    pb.environment().keySet().removeIf(k -> k.startsWith("STRATA_"));
    Process p = pb.start();
    logs.put(p, log);
    return p;
  }

  // ---- REST ----

  /** GET of a REST path, as JSON. */
  JsonNode get(String path) throws IOException, InterruptedException {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + restPort + path))
        .timeout(Duration.ofSeconds(10)).GET().build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + response.statusCode() + " " + response.body());
    }
    return json.readTree(response.body());
  }

  private void awaitRest(Duration timeout) throws Exception {
    await("the JobManager's REST API to answer", timeout, () -> get("/overview"), n -> true);
  }

  /** Waits until exactly {@code count} TaskManagers are registered with the JobManager. */
  void awaitTaskManagers(int count, Duration timeout) throws Exception {
    await(count + " registered TaskManager(s)", timeout, () -> get("/taskmanagers"),
        n -> n.path("taskmanagers").size() == count);
    log("%d TaskManager(s) registered", count);
  }

  /** Waits for the one job of the cluster and returns its id. */
  String awaitJob(Duration timeout) throws Exception {
    JsonNode jobs = await("the submitted job", timeout, () -> get("/jobs/overview"), n -> n.path("jobs").size() > 0);
    assertOne(jobs.path("jobs"));
    String id = jobs.path("jobs").get(0).path("jid").asText();
    log("job %s submitted (%s)", id, jobs.path("jobs").get(0).path("name").asText());
    return id;
  }

  private static void assertOne(JsonNode jobs) {
    if (jobs.size() != 1) {
      throw new AssertionError("expected one job on the cluster, got " + jobs);
    }
  }

  /** The job's checkpoint statistics ({@code counts}, {@code latest.completed}, {@code latest.restored}, ...). */
  JsonNode checkpoints(String job) throws IOException, InterruptedException {
    return get("/jobs/" + job + "/checkpoints");
  }

  /** Waits until at least {@code count} checkpoints of the job have completed; returns the latest one's id. */
  long awaitCompletedCheckpoints(String job, int count, Duration timeout) throws Exception {
    JsonNode stats = await(count + " completed checkpoint(s) of job " + job, timeout, () -> checkpoints(job),
        n -> n.path("counts").path("completed").asInt() >= count);
    long id = stats.path("latest").path("completed").path("id").asLong(-1);
    log("checkpoint %d completed (%d so far)", id, stats.path("counts").path("completed").asInt());
    return id;
  }

  /** Waits until the job has recorded a failure in its exception history (the JobManager noticed it); returns the first. */
  JsonNode awaitFailure(String job, Duration timeout) throws Exception {
    JsonNode ex = await("a failure in the exception history of job " + job, timeout,
        () -> get("/jobs/" + job + "/exceptions"),
        n -> n.path("exceptionHistory").path("entries").size() > 0);
    JsonNode first = ex.path("exceptionHistory").path("entries").get(0);
    log("the JobManager saw the failure: %s", first.path("stacktrace").asText(first.path("exceptionName").asText()).lines()
        .findFirst().orElse(""));
    return first;
  }

  /** Waits until the job is in a terminal state (FINISHED, FAILED, CANCELED) and returns it. */
  String awaitTerminalState(String job, Duration timeout) throws Exception {
    String state = await("job " + job + " to end", timeout, () -> get("/jobs/" + job),
        n -> List.of("FINISHED", "FAILED", "CANCELED").contains(n.path("state").asText())).path("state").asText();
    log("job %s %s", job, state);
    return state;
  }

  /** The job's state: RUNNING, RESTARTING, FINISHED, FAILED... */
  String state(String job) throws IOException, InterruptedException {
    return get("/jobs/" + job).path("state").asText();
  }

  interface Call {
    JsonNode call() throws Exception;
  }

  /** Polls {@code call} every 250 ms until {@code done} holds; on timeout an AssertionError naming what was awaited and the last answer. */
  private JsonNode await(String what, Duration timeout, Call call, Predicate<JsonNode> done) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Object last = null;
    while (System.nanoTime() < deadline) {
      try {
        JsonNode n = call.call();
        if (done.test(n)) {
          return n;
        }
        last = n;
      } catch (IOException e) {
        last = e; // not up yet
      }
      Thread.sleep(250);
    }
    throw new AssertionError("Timed out after " + timeout.toSeconds() + " s waiting for " + what + "; last answer: " + last);
  }

  // ---- processes ----

  /** The last lines of every process's log, for a failure message. */
  String diagnostics() {
    StringBuilder out = new StringBuilder();
    logs.forEach((p, log) -> {
      out.append("\n===== ").append(log.getFileName()).append(" (pid ").append(p.pid())
          .append(p.isAlive() ? ", running" : ", exited " + p.exitValue()).append(") =====\n");
      out.append(tail(log, 60));
    });
    return out.toString();
  }

  static String tail(Path log, int lines) {
    try {
      if (!Files.exists(log)) {
        return "(no output)";
      }
      List<String> all = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e.getMessage() + ")";
    }
  }

  /** Kills every process started here and its descendants (a client's, a TaskManager's children). */
  @Override
  public synchronized void close() {
    for (Process p : logs.keySet()) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
    }
    for (Process p : logs.keySet()) {
      try {
        p.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  static void log(String format, Object... args) {
    System.out.printf(Locale.ROOT, "[flink-cluster +%5.1fs] %s%n", (System.nanoTime() - STARTED) / 1e9,
        String.format(Locale.ROOT, format, args));
  }

  private static List<String> words(String s) {
    return s.isBlank() ? List.of() : List.of(s.trim().split("\\s+"));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
