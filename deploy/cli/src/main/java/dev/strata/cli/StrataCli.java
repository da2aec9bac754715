package dev.strata.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code strata} command line. */
@Command(
    name = "strata",
    mixinStandardHelpOptions = true,
    versionProvider = StrataCli.Version.class,
    description = {
      "Strata: declare features once; compute them in batch (Spark, Iceberg) and stream (Flink, Redis).",
      ""
    },
    subcommands = {
      DemoCommand.class,
      InitCommand.class,
      ValidateCommand.class,
      PlanCommand.class,
      ApplyCommand.class,
      SchemaCommand.class,
      RegistryCommand.class,
      StatusCommand.class,
      ConfigCommand.class,
      BatchCommands.Backfill.class,
      BatchCommands.TrainingSet.class,
      BatchCommands.Materialize.class,
      BatchCommands.Monitor.class,
      BatchCommands.Log.class,
      BatchCommands.Maintenance.class,
      StreamCommand.class,
      ServeCommand.class,
      GetCommand.class,
      DriftCommand.class,
      DeployCommand.class,
      CommandLine.HelpCommand.class
    },
    footer = {"", "Run 'strata <command> --help' for a command's options."})
public final class StrataCli implements Runnable {
  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs the CLI and returns the exit code: 0 success, 1 a mistake in input, 2 bad usage. */
  public static int run(String... args) {
    CommandLine cli = new CommandLine(new StrataCli());
    reflow(cli);
    cli.setExecutionExceptionHandler(new Errors());
    cli.setParameterExceptionHandler(new Errors());
    if (args.length > 0 && !args[0].startsWith("-") && !cli.getSubcommands().containsKey(args[0])) {
      // before picocli: "strata ui --help" would print the top-level help and exit 0, as if ui existed
      return Errors.unknownCommand(cli, args[0], cli.getSubcommands().keySet());
    }
    try {
      return cli.execute(args);
    } catch (StackOverflowError | OutOfMemoryError e) {
      // picocli hands only Exceptions to the handler; these are Strata's failures, not the user's mistakes
      return Errors.internal(cli, e);
    }
  }

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /**
   * Joins the lines of every command's description into paragraphs, which picocli then wraps at
   * the usage width. Descriptions are written as short source lines, and picocli takes each line
   * as a paragraph of its own, so without this every source line ends early on the terminal
   * (issue 19 item 1). A paragraph ends at an empty line, before a list item ("- ") and after a
   * line ending with ':'; an indented line continues the list item above it.
   */
  static void reflow(CommandLine cli) {
    CommandLine.Model.UsageMessageSpec usage = cli.getCommandSpec().usageMessage();
    usage.description(paragraphs(usage.description()));
    for (CommandLine sub : cli.getSubcommands().values()) {
      if (sub.getParent() == cli) {
        reflow(sub);
      }
    }
  }

  static String[] paragraphs(String[] lines) {
    java.util.List<String> out = new java.util.ArrayList<>();
    StringBuilder current = null;
    for (String line : lines) {
      String text = line.strip();
      boolean starts = current == null || text.isEmpty() || text.startsWith("- ")
          || (!line.startsWith(" ") && current.toString().endsWith(":"));
      if (starts) {
        if (current != null) {
          out.add(current.toString());
        }
        if (text.isEmpty()) {
          out.add("");
          current = null;
          continue;
        }
        current = new StringBuilder(text);
      } else {
        current.append(' ').append(text);
      }
    }
    if (current != null) {
      out.add(current.toString());
    }
    return out.toArray(new String[0]);
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = StrataCli.class.getPackage().getImplementationVersion();
      return new String[] {"strata " + (v == null ? "development build" : v)};
    }
  }
}
