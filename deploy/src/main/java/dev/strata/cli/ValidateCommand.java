package dev.strata.cli;

import dev.strata.dsl.plan.CompiledPlan;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(
    name = "validate",
    mixinStandardHelpOptions = true,
    description = {
      "Check every definition file of a project directory.",
      "Prints one 'file:line:col: message' line per mistake and exits 1, or a summary and exits 0."
    })
final class ValidateCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The project directory (its *.yaml files).")
  Path dir;

  @Override
  public Integer call() {
    CompiledPlan plan = Projects.compile(dir);
    spec.commandLine().getOut().println("OK: project '" + plan.project() + "' is valid: " + Summary.of(plan));
    return 0;
  }
}
