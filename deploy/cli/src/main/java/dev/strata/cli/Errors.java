package dev.strata.cli;

import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.diag.Diagnostic;
import dev.strata.dsl.error.StrataFailure;
import dev.strata.dsl.registry.RegistryException;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/**
 * Turns every failure into one clear sentence on stderr and a non-zero exit code. A stack trace
 * is printed only with STRATA_DEBUG=1: a user's mistake is never a crash.
 */
final class Errors implements CommandLine.IExecutionExceptionHandler, CommandLine.IParameterExceptionHandler {
  static final int INPUT_ERROR = 1;
  static final int USAGE_ERROR = 2;

  @Override
  public int handleExecutionException(Exception ex, CommandLine cli, ParseResult parseResult) {
    var err = cli.getErr();
    if (ex instanceof DefinitionException d) {
      for (Diagnostic diag : d.diagnostics()) {
        err.println(diag);
      }
      err.println("strata: " + d.diagnostics().size() + " error(s)");
    } else if (ex instanceof StrataFailure || ex instanceof RegistryException || ex instanceof IllegalArgumentException) {
      // Typed failures (bad input, unknown name, a store that cannot answer) carry a sentence for
      // the user, as do the registry's; a plain IllegalArgumentException is the JDK's convention
      // for a bad argument (a time or duration the language could not parse), so it reads the same.
      err.println("strata: " + ex.getMessage());
    } else {
      err.println("strata: " + cli.getCommandName() + " failed: " + describe(ex));
    }
    if ("1".equals(System.getenv("STRATA_DEBUG"))) {
      ex.printStackTrace(err);
    }
    err.flush();
    return INPUT_ERROR;
  }

  /** A failure that escaped every handler (an Error): one sentence, the trace only with STRATA_DEBUG=1. */
  static int internal(CommandLine cli, Throwable e) {
    var err = cli.getErr();
    String what = e instanceof StackOverflowError ? "the input is nested too deeply to process"
        : e instanceof OutOfMemoryError ? "out of memory (raise it with STRATA_JAVA_OPTS=-Xmx...)" : describe(e);
    err.println("strata: failed: " + what + " (set STRATA_DEBUG=1 for details)");
    if ("1".equals(System.getenv("STRATA_DEBUG"))) {
      e.printStackTrace(err);
    }
    err.flush();
    return INPUT_ERROR;
  }

  private static String describe(Throwable ex) {
    Throwable root = ex;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String msg = root.getMessage();
    return (msg == null ? root.getClass().getSimpleName() : msg) + " (set STRATA_DEBUG=1 for details)";
  }

  /** "Unknown command", with the commands that are near it, as git says it. */
  static int unknownCommand(CommandLine cli, String name, java.util.Collection<String> commands) {
    var err = cli.getErr();
    err.println("strata: Unknown command '" + name + "'.");
    java.util.List<String> near = commands.stream()
        .filter(c -> editDistance(c, name) <= Math.max(2, name.length() / 3) || c.startsWith(name))
        .sorted(java.util.Comparator.comparingInt(c -> editDistance(c, name))).toList();
    if (!near.isEmpty()) {
      err.println("Did you mean: " + String.join(", ", near.stream().map(c -> "strata " + c).toList()) + "?");
    }
    err.println("Run 'strata --help' for the commands.");
    err.flush();
    return USAGE_ERROR;
  }

  /** Levenshtein distance: short command names only. */
  static int editDistance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }

  @Override
  public int handleParseException(CommandLine.ParameterException ex, String[] args) {
    CommandLine cli = ex.getCommandLine();
    var err = cli.getErr();
    err.println("strata: " + ex.getMessage());
    if (ex instanceof CommandLine.UnmatchedArgumentException u && !u.getSuggestions().isEmpty()) {
      err.println("Did you mean: " + String.join(", ",
          u.getSuggestions().stream().map(s -> cli.getCommandSpec().qualifiedName() + " " + s).toList()) + "?");
    }
    err.println("Run '" + cli.getCommandSpec().qualifiedName() + " --help' for usage.");
    err.flush();
    // with --detailed-exitcode, 2 means "the plan has changes": a usage error must not look like one
    return java.util.Arrays.asList(args).contains("--detailed-exitcode") ? INPUT_ERROR : USAGE_ERROR;
  }
}
