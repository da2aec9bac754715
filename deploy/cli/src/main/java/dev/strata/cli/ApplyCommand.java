package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanDiff;
import dev.strata.dsl.plan.PlanJson;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "apply",
    header = "Record the project's compiled plan as a new version in the registry.",
    mixinStandardHelpOptions = true,
    description = {
      "Compile a project and record its plan as a new version in the registry",
      "(the catalog database: SQLite in the warehouse by default, PostgreSQL by configuration).",
      "Applying an unchanged plan records nothing. Prints the changes and the version."
    })
final class ApplyCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProjectDir project;

  /** Resolved once in call(). */
  private Path dir;

  @Option(names = {"-m", "--message"}, description = "A note stored with the version.")
  String message;

  @Override
  public Integer call() {
    dir = project.get();
    CompiledPlan plan = Projects.compile(dir);
    PrintWriter out = spec.commandLine().getOut();
    StrataConfig config = StrataConfig.load(dir);
    try (Registry registry = Projects.openRegistry(config)) {
      Optional<RegistryEntry> latest = registry.latest(plan.project());
      PlanDiff diff = PlanDiff.between(latest.map(e -> PlanJson.parse(e.planJson())).orElse(null), PlanJson.toJson(plan));
      if (diff.isEmpty() && latest.isPresent() && latest.get().planHash().equals(PlanJson.hash(plan))) {
        out.println("No changes: project '" + plan.project() + "' is at registry version " + latest.get().version() + ".");
        return 0;
      }
      java.util.function.Function<String, Optional<String>> backfilled = Projects.backfilled(registry, plan);
      out.print(diff.toText(backfilled));
      RegistryEntry entry = registry.record(plan.project(), PlanJson.toCompactString(plan), PlanJson.hash(plan),
          System.getProperty("user.name"), message);
      out.println("Applied: project '" + plan.project() + "' is at registry version " + entry.version() + " in "
          + config.redactedCatalogUri() + ".");
      List<String> pending = diff.groupsNeedingBackfill().stream().filter(g -> backfilled.apply(g).isEmpty()).toList();
      if (!pending.isEmpty()) {
        out.println("Next: strata backfill --all --through <day|yesterday> (groups with new versions: "
            + String.join(", ", pending) + ").");
      }
    }
    return 0;
  }
}
