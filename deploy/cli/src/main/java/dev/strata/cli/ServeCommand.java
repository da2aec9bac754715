package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.online.log.JsonLinesServingLog;
import dev.strata.online.log.ServingLog;
import dev.strata.online.server.FeatureServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    header = "Serve a project's online features over HTTP until stopped.",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a project's online features over HTTP until stopped (Ctrl-C):",
      "POST /get-online-features (Feast's request and response shapes), GET /health, /health/live, /health/ready",
      "(Redis answers and the log can write), GET /metrics (Prometheus).",
      "Redis comes from strata.yaml (redis.url) or STRATA_REDIS_URL; STRATA_SERVER_TOKEN requires a bearer token",
      "(on the feature, logging and metrics endpoints);",
      "STRATA_SERVER_MAX_ENTITIES caps the entity rows per request (default 1000).",
      "With --log-dir, served vectors (sampled) and the predictions and labels clients send to",
      "POST /log-predictions and POST /log-labels are written as JSON lines for skew and prediction monitoring."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProjectDir project;

  @Option(names = {"-p", "--port"}, defaultValue = "6566", description = "The port (default ${DEFAULT-VALUE}, Feast's).")
  int port;

  @Option(names = "--log-dir", paramLabel = "DIR",
      description = "Log served feature vectors, predictions and labels under DIR (JSON lines by day; off by default).")
  Path logDir;

  @Option(names = "--log-sample-rate", paramLabel = "RATE", defaultValue = "1.0",
      description = "Share of requests whose served vectors are logged, 0 to 1 (default ${DEFAULT-VALUE}); predictions are never sampled.")
  double logSampleRate;

  @Option(names = "--log-roll-seconds", paramLabel = "S", defaultValue = "300",
      description = "Seconds before a log file is completed and visible to readers (default ${DEFAULT-VALUE}).")
  long logRollSeconds;

  @Option(names = "--log-max-age", paramLabel = "DURATION", defaultValue = "7d",
      description = "Oldest record time /log-predictions and /log-labels accept, back from now (default ${DEFAULT-VALUE});"
          + " older is a 400.")
  String logMaxAge;

  @Option(names = "--log-max-ahead", paramLabel = "DURATION", defaultValue = "1d",
      description = "Latest record time accepted, ahead of now (default ${DEFAULT-VALUE}); later is a 400.")
  String logMaxAhead;

  @Option(names = "--log-sync",
      description = "Sync the log files to disk before acknowledging predictions and labels (default: written to the OS).")
  boolean logSync;

  @Override
  public Integer call() throws InterruptedException {
    Path dir = project.get();
    java.time.Duration maxAge = window("--log-max-age", logMaxAge);
    java.time.Duration maxAhead = window("--log-max-ahead", logMaxAhead);
    CompiledPlan plan = Projects.compile(dir);
    StrataConfig config = StrataConfig.load(dir);
    ServingLog log = null;
    if (logDir != null) {
      if (logRollSeconds <= 0) {
        throw new UserException("Cannot roll the serving log every " + logRollSeconds + " seconds: it must be positive.");
      }
      try {
        log = JsonLinesServingLog.builder(logDir).sampleRate(logSampleRate).syncOnAcknowledge(logSync)
            .rollInterval(java.time.Duration.ofSeconds(logRollSeconds)).build();
      } catch (IllegalArgumentException e) {
        throw new UserException(e.getMessage());
      }
    }
    FeatureServer server;
    try {
      server = FeatureServer.start(plan, config, port, log, maxAge, maxAhead, () -> progress(plan, config));
    } catch (IllegalArgumentException e) {
      if (log != null) {
        log.close();
      }
      throw new UserException(e.getMessage() + ".");
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "strata-serve-shutdown"));
    spec.commandLine().getOut().println("Serving " + plan.services().size() + " feature service(s) of project '"
        + plan.project() + "' from " + config.redactedRedisUrl() + " on http://0.0.0.0:" + server.port()
        + " (POST /get-online-features, GET /health, /health/live, /health/ready, GET /metrics)"
        + (logDir == null ? "" : "; logging to " + logDir + " (POST /log-predictions, /log-labels)") + ". Ctrl-C stops.");
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }

  /** The job ledger's view of every group and monitor (none yet while no registry exists), for the freshness gauges. */
  static java.util.List<dev.strata.dsl.plan.GroupProgress> progress(CompiledPlan plan, StrataConfig config) {
    if (!Projects.registryExists(config)) {
      return java.util.List.of();
    }
    try (dev.strata.dsl.registry.Registry registry = Projects.openRegistry(config)) {
      return dev.strata.dsl.registry.JobProgress.of(registry.jobs(), plan);
    }
  }

  private static java.time.Duration window(String flag, String text) {
    long micros;
    try {
      micros = dev.strata.dsl.time.Durations.parseMicros(text.trim());
    } catch (RuntimeException e) {
      throw new UserException("Cannot use " + flag + " " + text + ": expected a duration such as 12h or 7d.");
    }
    if (micros < 0 || micros > 36_500L * dev.strata.dsl.time.Durations.DAY) {
      throw new UserException("Cannot use " + flag + " " + text + ": it must be between 0 and 36500d.");
    }
    return java.time.Duration.ofMillis(micros / 1000);
  }
}
