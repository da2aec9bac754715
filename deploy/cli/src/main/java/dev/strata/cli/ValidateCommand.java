package dev.strata.cli;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.diag.Diagnostic;
import dev.strata.dsl.plan.CompiledPlan;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check every definition file of a project directory, and its strata.yaml.",
      "Prints one 'file:line:col: message' line per mistake and exits 1, or a summary and exits 0."
    })
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProjectDir project;

  /** Resolved once in call(). */
  private Path dir;

  @Override
  public Integer call() {
    dir = project.get();
    Projects.requireDirectory(dir);
    // strata.yaml is read by every later command: its mistakes are reported with the definitions'.
    List<Diagnostic> mistakes = new ArrayList<>();
    try {
      StrataConfig.load(dir);
    } catch (DefinitionException e) {
      mistakes.addAll(e.diagnostics());
    }
    CompiledPlan plan = null;
    try {
      plan = Projects.compile(dir);
    } catch (DefinitionException e) {
      mistakes.addAll(e.diagnostics());
    }
    if (!mistakes.isEmpty()) {
      throw new DefinitionException(mistakes.stream().sorted().distinct().toList());
    }
    spec.commandLine().getOut().println("OK: project '" + plan.project() + "' is valid: " + Summary.of(plan));
    return 0;
  }
}
