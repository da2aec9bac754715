package dev.strata.cli;

import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.time.Durations;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The whole loop on the bundled flights sample, each step through the same command a user
 * would run: validate, apply, backfill, training set, materialize (January and February from
 * the batch side), a stream replay (March from the stream side), online fetches checked against
 * the oracle, and a drift report.
 */
@Command(
    name = "demo",
    header = "Run the whole loop on the bundled flights sample, from validate to drift.",
    mixinStandardHelpOptions = true,
    description = {
      "Run the whole loop on the bundled flights sample (20,000 flights, January to March 2001):",
      "validate -> apply -> backfill -> training set -> materialize (Jan-Feb) -> stream replay (March)",
      "-> online fetches (checked against the reference evaluator) -> drift report (January vs March).",
      "Uses Redis at 127.0.0.1:6379 (database 15, key prefix strata-demo) when it answers; otherwise starts",
      "a private redis-server on a free port and stops it at the end. Takes a few minutes on 2 cores."
    })
final class DemoCommand implements Callable<Integer> {
  private static final String MARKER = ".strata-demo";
  private static final String AT = "2001-04-01T00:00:00Z";
  private static final String SPLIT = "2001-03-01T00:00:00Z";

  @Spec CommandSpec spec;

  @Option(names = "--dir", paramLabel = "DIR", defaultValue = "strata-demo",
      description = "Where the demo project, warehouse and outputs go (default: ./strata-demo; recreated on each run).")
  Path dir;

  private PrintWriter out;
  private int step;
  private static final int STEPS = 9;

  @Override
  public Integer call() throws Exception {
    out = spec.commandLine().getOut();
    Path project = prepareProject();
    Process privateRedis = null;
    String redisUrl;
    if (answers("127.0.0.1", 6379)) {
      redisUrl = "redis://127.0.0.1:6379/15?prefix=strata-demo";
      say("Redis: using the server at 127.0.0.1:6379 (database 15, key prefix strata-demo).");
    } else {
      int port = freePort();
      privateRedis = startRedis(port);
      redisUrl = "redis://127.0.0.1:" + port + "/0?prefix=strata-demo";
      say("Redis: none at 127.0.0.1:6379, so a private redis-server runs on port " + port + " for the demo.");
    }
    Files.writeString(project.resolve("strata.yaml"), "# Written by strata demo.\nwarehouse: .strata/warehouse\n"
        + "redis:\n  url: \"" + redisUrl + "\"\n");
    try {
      return run(project, redisUrl);
    } finally {
      if (privateRedis != null) {
        privateRedis.destroy();
        privateRedis.waitFor(10, TimeUnit.SECONDS);
        say("Stopped the private redis-server.");
      }
    }
  }

  private int run(Path project, String redisUrl) throws IOException {
    String p = project.toString();
    long start = System.nanoTime();
    if (step("validate the definitions", "validate", p) != 0
        || step("record the plan in the registry", "apply", p, "-m", "strata demo") != 0
        || step("backfill tiles and daily snapshots into Iceberg", "backfill", "--all", "--from", "2001-01-01",
            "--to", "2001-03-31", "-C", p) != 0
        || step("build the training set (every flight, label delay > 15)", "training-set", "delay_training",
            "--out", project.resolve("out/delay_training.parquet").toString(), "-C", p) != 0
        || step("materialize January and February into Redis (batch side)", "materialize", "--all", "--at", SPLIT,
            "-C", p) != 0) {
      return 1;
    }
    Path march = project.resolve("out/march.csv");
    List<String> lines = Files.readAllLines(project.resolve("data/flights-20k.csv"));
    List<String> marchLines = new ArrayList<>(List.of(lines.get(0)));
    List<String> januaryLines = new ArrayList<>(List.of(lines.get(0)));
    for (String l : lines.subList(1, lines.size())) {
      if (l.startsWith("2001-03")) {
        marchLines.add(l);
      } else if (l.startsWith("2001-01")) {
        januaryLines.add(l);
      }
    }
    Files.write(march, marchLines);
    Path january = project.resolve("out/january.csv");
    Files.write(january, januaryLines);
    if (step("replay March through the Flink job into Redis (stream side)", "stream", "flights", "-C", p,
            "--file", march.toString(), "--format", "csv", "--speed", "0") != 0
        || step("fetch online features as of " + AT, "get", "delay_model_v1", "airport=ORD", "origin=ORD",
            "destination=LAX", "--at", AT, "-C", p) != 0) {
      return 1;
    }
    if (!checkAgainstOracle(project)) {
      return 1;
    }
    Path report = project.resolve("out/drift-report.html");
    if (step("drift report: January vs March", "drift", "--reference", january.toString(), "--current",
            march.toString(), "--columns", "delay,distance,origin,destination", "--report", report.toString()) != 0) {
      return 1;
    }
    say("");
    say(String.format(Locale.ROOT, "Done in %.0f s. Files: %s", (System.nanoTime() - start) / 1e9, project.resolve("out")));
    say("  training set   " + project.resolve("out/delay_training.parquet"));
    say("  drift report   " + report + " (open it in a browser)");
    say("  warehouse      " + project.resolve(".strata/warehouse") + " (Iceberg, SQLite catalog)");
    say("Try it yourself" + (redisUrl.contains(":6379/") ? ":" : " (needs the demo's Redis running):"));
    say("  ./strata get delay_model_v1 airport=ORD origin=ORD destination=LAX --at " + AT + " -C " + p);
    return 0;
  }

  /** Every feature read online for a few keys equals the reference evaluator's value. */
  private boolean checkAgainstOracle(Path project) {
    step++;
    say("");
    say("[" + step + "/" + STEPS + "] check online values against the reference evaluator (oracle)");
    CompiledPlan plan = Projects.compile(project);
    List<Object[]> events = dev.strata.dsl.oracle.CsvEvents.read(project.resolve("data/flights-20k.csv"),
        plan.source("flights").orElseThrow().schema());
    Oracle oracle = new Oracle(plan);
    long at = Durations.parseInstant(AT);
    int checked = 0;
    for (String[] route : new String[][] {{"ORD", "LAX"}, {"ATL", "DFW"}, {"SFO", "LAX"}, {"DEN", "PHX"}}) {
      Map<String, Object> want = oracle.serviceFeatures("delay_model_v1", Map.of("flights", events),
          Map.of("airport", List.of(route[0]), "route", List.of(route[0], route[1])), at);
      java.io.StringWriter buffer = new java.io.StringWriter();
      CommandLine cli = new CommandLine(new StrataCli());
      cli.setOut(new PrintWriter(buffer));
      cli.setErr(new PrintWriter(buffer));
      int code = cli.execute("get", "delay_model_v1", "airport=" + route[0], "origin=" + route[0],
          "destination=" + route[1], "--at", AT, "--json", "-C", project.toString());
      String json = buffer.toString();
      if (code != 0) {
        say("  cannot read " + String.join("-", route) + ": " + json.strip());
        return false;
      }
      try {
        var node = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        for (var f : node.path("features")) {
          Object expected = want.get(f.path("name").asText());
          String got = f.path("value").isNull() ? "null" : f.path("value").toString();
          String exp = expected == null ? "null" : new com.fasterxml.jackson.databind.ObjectMapper().valueToTree(expected).toString();
          if (!got.equals(exp)) {
            say("  MISMATCH " + String.join("-", route) + " " + f.path("name").asText() + ": online " + got + ", oracle " + exp);
            return false;
          }
          checked++;
        }
      } catch (IOException e) {
        say("  cannot parse the online values: " + e.getMessage());
        return false;
      }
    }
    say("  " + checked + " online values (4 routes x " + (checked / 4) + " features) equal the oracle's.");
    return true;
  }

  private int step(String what, String... args) {
    step++;
    say("");
    say("[" + step + "/" + STEPS + "] " + what + ":  strata " + String.join(" ", args));
    long t0 = System.nanoTime();
    CommandLine cli = new CommandLine(new StrataCli());
    cli.setOut(out);
    cli.setErr(spec.commandLine().getErr());
    cli.setExecutionExceptionHandler(new Errors());
    cli.setParameterExceptionHandler(new Errors());
    int code = cli.execute(args);
    out.flush();
    say(String.format(Locale.ROOT, "  (%s, %.1f s)", code == 0 ? "ok" : "FAILED with exit code " + code, (System.nanoTime() - t0) / 1e9));
    return code;
  }

  private void say(String line) {
    out.println(line);
    out.flush();
  }

  /** A fresh copy of the bundled example (the same files 'strata init' writes). */
  private Path prepareProject() throws IOException {
    Path project = dir.toAbsolutePath().normalize();
    if (Files.exists(project)) {
      if (!Files.exists(project.resolve(MARKER))) {
        throw new UserException("Cannot run the demo in " + project + ": it exists and was not made by strata demo "
            + "(choose another --dir)");
      }
      try (Stream<Path> files = Files.walk(project)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(f);
        }
      }
    }
    Files.createDirectories(project.resolve("out"));
    Files.writeString(project.resolve(MARKER), "made by strata demo; deleted and recreated by the next run\n");
    for (String name : InitCommand.FLIGHTS) {
      Path target = project.resolve(name);
      Files.createDirectories(target.getParent());
      try (InputStream in = InitCommand.class.getResourceAsStream("template/" + name)) {
        if (in == null) {
          throw new IllegalStateException("Cannot run the demo: template file " + name + " is missing from this build");
        }
        Files.writeString(target, new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    say("Demo project: " + project + " (a copy of examples/flights).");
    return project;
  }

  private static boolean answers(String host, int port) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), 500);
      s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      s.setSoTimeout(1000);
      byte[] buf = new byte[16];
      int n = s.getInputStream().read(buf);
      return n > 0 && new String(buf, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static Process startRedis(int port) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("redis-server", "--port", String.valueOf(port), "--bind", "127.0.0.1", "--save", "",
          "--appendonly", "no").redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    } catch (IOException e) {
      throw new UserException("Cannot run the demo: Redis is not running on 127.0.0.1:6379 and there is no redis-server "
          + "to start; install Redis (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis)");
    }
    for (int i = 0; i < 50; i++) {
      if (answers("127.0.0.1", port)) {
        return p;
      }
      Thread.sleep(100);
    }
    p.destroy();
    throw new UserException("Cannot run the demo: the private redis-server on port " + port + " did not start");
  }
}
