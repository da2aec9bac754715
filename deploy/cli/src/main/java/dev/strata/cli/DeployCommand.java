package dev.strata.cli;

import dev.strata.deploy.DeployEnvironment;
import dev.strata.deploy.Manifest;
import dev.strata.deploy.ManifestRenderer;
import dev.strata.deploy.ManifestWriter;
import dev.strata.dsl.plan.CompiledPlan;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "deploy",
    mixinStandardHelpOptions = true,
    description = "Run a project on Kubernetes: 'strata deploy render' writes its manifests.",
    subcommands = {DeployCommand.Render.class})
final class DeployCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "Missing subcommand: strata deploy render");
  }

  @Command(
      name = "render",
      mixinStandardHelpOptions = true,
      description = {
        "Write the Kubernetes manifests that run a project in one environment of",
        "its strata.yaml ('environments:'), one file per object, <kind>-<name>.yaml:",
        "- ConfigMap: the definition files and a strata.yaml for the environment,",
        "  mounted by every pod at " + ManifestRenderer.PROJECT_MOUNT + ";",
        "- the feature server (strata serve): Deployment, Service,",
        "  HorizontalPodAutoscaler, ServiceMonitor, and a PersistentVolumeClaim",
        "  (ReadWriteMany) for its serving log, mounted at " + ManifestRenderer.SERVING_LOG_MOUNT + ";",
        "- a FlinkDeployment (Flink Kubernetes Operator) per source with a stream",
        "  and online groups: application mode, RocksDB, checkpoints and savepoints",
        "  under the environment's object_store, upgradeMode savepoint;",
        "- Spark Operator (sparkoperator.k8s.io/v1beta2) ScheduledSparkApplications:",
        "  the daily incremental backfill (--all --through yesterday), an hourly",
        "  incremental materialize per online group, an hourly log ingest of the",
        "  serving log, and one per monitor (by its 'every'); a SparkApplication per",
        "  offline group for the batch.backfill days, when the environment names them;",
        "- a PrometheusRule: an alert per group when " + ManifestRenderer.STALENESS_GAUGE,
        "  exceeds the group's freshness for 15 minutes.",
        "Redis and catalog credentials come from Secrets by reference, never values.",
        "Files of an earlier render that this one no longer has are removed.",
        "Apply with: kubectl apply -f FOLDER"
      })
  static final class Render implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ProjectDir project;

    @Option(names = "--env", required = true, paramLabel = "NAME", description = "The environment in strata.yaml's 'environments:'.")
    String env;

    @Option(names = "--out", required = true, paramLabel = "FOLDER", description = "Where to write the manifests (created if missing).")
    Path out;

    @Override
    public Integer call() {
      Path dir = project.get();
      CompiledPlan plan = Projects.compile(dir);
      DeployEnvironment environment = DeployEnvironment.read(dir, env);
      List<Manifest> manifests = ManifestRenderer.render(plan, environment, dir);
      List<Path> files = ManifestWriter.write(manifests, out);
      PrintWriter o = spec.commandLine().getOut();
      o.println("Rendered " + files.size() + " objects of project '" + plan.project() + "' for environment '" + env
          + "' (namespace " + environment.namespace() + ") into " + out + ":");
      for (Manifest m : manifests) {
        o.println("  " + m.fileName());
      }
      o.flush();
      return 0;
    }
  }
}
