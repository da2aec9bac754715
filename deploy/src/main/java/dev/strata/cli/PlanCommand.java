package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanDiff;
import dev.strata.dsl.plan.PlanJson;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "plan",
    mixinStandardHelpOptions = true,
    description = {
      "Compile a project and show what 'apply' would change against the registry:",
      "new, changed and removed entities, sources, groups, features, services, training sets",
      "and monitors, and which groups need a backfill (their values change).",
      "With --json, print the compiled plan itself (format_version 1) and do not read the registry."
    })
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The project directory.")
  Path dir;

  @Option(names = "--json", description = "Print the compiled plan as JSON (stable, versioned).")
  boolean json;

  @Override
  public Integer call() {
    CompiledPlan plan = Projects.compile(dir);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(PlanJson.toPrettyString(plan));
      return 0;
    }
    StrataConfig config = StrataConfig.load(dir);
    out.println("Project '" + plan.project() + "': " + Summary.of(plan));
    // plan only reads: an embedded registry that does not exist yet is simply empty.
    if (!Projects.registryExists(config)) {
      out.println("Nothing applied yet in " + config.redactedCatalogUri() + "; everything is new:");
      out.print(PlanDiff.between(null, PlanJson.toJson(plan)).toText());
      out.println("Run 'strata apply " + dir + "' to record this plan.");
      return 0;
    }
    try (Registry registry = Projects.openRegistry(config)) {
      Optional<RegistryEntry> latest = registry.latest(plan.project());
      out.println(latest
          .map(e -> "Compared with registry version " + e.version() + " (applied " + e.appliedAt() + "):")
          .orElse("Nothing applied yet in " + config.redactedCatalogUri() + "; everything is new:"));
      PlanDiff diff = PlanDiff.between(latest.map(e -> PlanJson.parse(e.planJson())).orElse(null), PlanJson.toJson(plan));
      out.print(diff.toText());
      if (!diff.isEmpty()) {
        out.println("Run 'strata apply " + dir + "' to record this plan.");
      }
    }
    return 0;
  }
}
