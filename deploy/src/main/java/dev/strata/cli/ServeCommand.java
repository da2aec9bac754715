package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.online.server.FeatureServer;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve a project's online features over HTTP until stopped (Ctrl-C):",
      "POST /get-online-features (Feast's request and response shapes), GET /health, GET /metrics (Prometheus).",
      "Redis comes from strata.yaml (redis.url) or STRATA_REDIS_URL; STRATA_SERVER_TOKEN requires a bearer token;",
      "STRATA_SERVER_MAX_ENTITIES caps the entity rows per request (default 1000)."
    })
final class ServeCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The project directory.")
  Path dir;

  @Option(names = {"-p", "--port"}, defaultValue = "6566", description = "The port (default ${DEFAULT-VALUE}, Feast's).")
  int port;

  @Override
  public Integer call() throws InterruptedException {
    CompiledPlan plan = Projects.compile(dir);
    StrataConfig config = StrataConfig.load(dir);
    FeatureServer server = FeatureServer.start(plan, config, port);
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      stopped.countDown();
    }, "strata-serve-shutdown"));
    spec.commandLine().getOut().println("Serving " + plan.services().size() + " feature service(s) of project '"
        + plan.project() + "' from " + config.redactedRedisUrl() + " on http://0.0.0.0:" + server.port()
        + " (POST /get-online-features, GET /health, GET /metrics). Ctrl-C stops.");
    spec.commandLine().getOut().flush();
    stopped.await();
    return 0;
  }
}
