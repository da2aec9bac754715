package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanDiff;
import dev.strata.dsl.plan.PlanJson;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryEntry;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "plan",
    header = "Show what 'apply' would change against the registry.",
    mixinStandardHelpOptions = true,
    description = {
      "Compile a project and show what 'apply' would change against the registry:",
      "new, changed and removed entities, sources, groups, features, services, training sets",
      "and monitors, and which groups need a backfill (their values change).",
      "With --json, print the compiled plan itself (format_version 1) and do not read the registry.",
      "With --json-diff, print the changes as JSON instead of text.",
      "With --detailed-exitcode, exit 0 when nothing changed, 2 when something changed and 1 on",
      "any error (as 'terraform plan -detailed-exitcode' does), so CI can gate on it."
    })
final class PlanCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProjectDir project;

  /** Resolved once in call(). */
  private Path dir;

  @Option(names = "--json", description = "Print the compiled plan as JSON (stable, versioned).")
  boolean json;

  @Option(names = "--json-diff", description = "Print the changes against the registry as JSON.")
  boolean jsonDiff;

  @Option(names = "--detailed-exitcode",
      description = "Exit 0 with no changes, 2 with changes, 1 on error (for CI gating).")
  boolean detailedExitCode;

  /** The exit code of --detailed-exitcode when applying would change something. */
  static final int CHANGES_PRESENT = 2;

  @Override
  public Integer call() {
    dir = project.get();
    if (json && (jsonDiff || detailedExitCode)) {
      throw new UserException("Cannot combine --json with " + (jsonDiff ? "--json-diff" : "--detailed-exitcode")
          + ": --json prints the compiled plan without comparing it with the registry");
    }
    CompiledPlan plan = Projects.compile(dir);
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      out.println(PlanJson.toPrettyString(plan));
      return 0;
    }
    StrataConfig config = StrataConfig.load(dir);
    // plan only reads: an embedded registry that does not exist yet is simply empty.
    Optional<RegistryEntry> latest = Optional.empty();
    java.util.function.Function<String, Optional<String>> backfilled = group -> Optional.empty();
    if (Projects.registryExists(config)) {
      try (Registry registry = Projects.openRegistry(config)) {
        latest = registry.latest(plan.project());
        // read now: the registry closes before the diff is printed
        java.util.Map<String, Optional<String>> done = new java.util.HashMap<>();
        plan.groups().forEach(g -> done.put(g.name(), Projects.backfilled(registry, plan).apply(g.name())));
        backfilled = group -> done.getOrDefault(group, Optional.empty());
      }
    }
    PlanDiff diff = PlanDiff.between(latest.map(e -> PlanJson.parse(e.planJson())).orElse(null), PlanJson.toJson(plan));
    if (jsonDiff) {
      ObjectNode root = JsonNodeFactory.instance.objectNode();
      root.put("project", plan.project());
      if (latest.isPresent()) {
        root.put("registry_version", latest.get().version());
      } else {
        root.putNull("registry_version");
      }
      root.put("has_changes", !diff.isEmpty());
      root.setAll(diff.toJson());
      out.println(root.toPrettyString());
    } else {
      out.println("Project '" + plan.project() + "': " + Summary.of(plan));
      out.println(latest
          .map(e -> "Compared with registry version " + e.version() + " (applied " + e.appliedAt() + "):")
          .orElse("Nothing applied yet in " + config.redactedCatalogUri() + "; everything is new:"));
      out.print(diff.toText(backfilled));
      if (!diff.isEmpty()) {
        boolean here = dir.normalize().toString().isEmpty() || dir.normalize().equals(Path.of("."));
        out.println("Run 'strata apply" + (here ? "" : " -C " + dir) + "' to record this plan.");
      }
    }
    out.flush(); // print() does not flush an autoflush writer: "No changes" was lost at exit
    return detailedExitCode && !diff.isEmpty() ? CHANGES_PRESENT : 0;
  }
}
