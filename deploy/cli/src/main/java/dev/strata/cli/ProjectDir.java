package dev.strata.cli;

import java.nio.file.Path;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The project directory, given the same way to every command: {@code -C DIR} (as git and make
 * take it), default the current directory; a leading positional DIR is kept as an alias where
 * commands took one before.
 */
final class ProjectDir {
  @Option(names = {"-C", "--dir"}, paramLabel = "DIR", description = "The project directory (default: .).")
  Path option;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The project directory, as -C DIR.")
  Path positional;

  /** The directory given, or {@code .}. */
  Path get() {
    if (option != null && positional != null && !option.normalize().equals(positional.normalize())) {
      throw new UserException("Cannot tell which project to use: -C " + option + " and " + positional + " differ; give one");
    }
    return option != null ? option : positional != null ? positional : Path.of(".");
  }
}
