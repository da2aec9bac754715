package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.PlanJson;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryEntry;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "registry",
    mixinStandardHelpOptions = true,
    description = "Read the registry of applied plans.",
    subcommands = {RegistryCommand.ListCommand.class, RegistryCommand.ShowCommand.class})
final class RegistryCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  @Command(name = "list", mixinStandardHelpOptions = true,
      description = "List projects and their versions (newest first): version, time, who, plan hash, message.")
  static final class ListCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Mixin ProjectDir projectDir;

    @Option(names = "--project", description = "Only this project.")
    String project;

    @Override
    public Integer call() {
      PrintWriter out = spec.commandLine().getOut();
      StrataConfig config = StrataConfig.load(projectDir.get());
      try (Registry registry = Projects.openRegistry(config)) {
        List<String> projects = project == null ? registry.projects() : List.of(project);
        if (projects.isEmpty()) {
          out.println("The registry at " + config.redactedCatalogUri() + " is empty: run 'strata apply' in a project first.");
          return 0;
        }
        out.printf(Locale.ROOT, "%-20s %7s  %-24s %-12s %-12s %s%n", "PROJECT", "VERSION", "APPLIED AT", "BY", "PLAN HASH", "MESSAGE");
        for (String p : projects) {
          List<RegistryEntry> history = registry.history(p);
          if (history.isEmpty()) {
            throw new UserException("Cannot list project '" + p + "': it was never applied in " + config.redactedCatalogUri());
          }
          for (RegistryEntry e : history) {
            out.printf(Locale.ROOT, "%-20s %7d  %-24s %-12s %-12s %s%n", e.project(), e.version(), e.appliedAt(),
                e.appliedBy() == null ? "" : e.appliedBy(), e.planHash().substring(0, Math.min(12, e.planHash().length())),
                e.message() == null ? "" : e.message());
          }
        }
      }
      return 0;
    }
  }

  @Command(name = "show",
      description = "Print the compiled plan (JSON) of a project's latest or given version.")
  static final class ShowCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    // No standard --version here: --version selects the registry version.
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help message and exit.")
    boolean help;

    @Parameters(index = "0", paramLabel = "PROJECT", description = "The project name.")
    String project;

    @Option(names = "--version", paramLabel = "N", description = "The version (default: latest).")
    Integer version;

    @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".",
        description = "A project directory whose strata.yaml says where the registry is (default: .).")
    Path dir;

    @Override
    public Integer call() {
      StrataConfig config = StrataConfig.load(dir);
      try (Registry registry = Projects.openRegistry(config)) {
        RegistryEntry e = (version == null ? registry.latest(project) : registry.get(project, version))
            .orElseThrow(() -> new UserException("Cannot show project '" + project + "'"
                + (version == null ? "" : " version " + version) + ": not in the registry at " + config.redactedCatalogUri()
                + (registry.projects().isEmpty() ? "" : " (projects: " + String.join(", ", registry.projects()) + ")")));
        spec.commandLine().getOut().println(PlanJson.parse(e.planJson()).toPrettyString());
      }
      return 0;
    }
  }
}
