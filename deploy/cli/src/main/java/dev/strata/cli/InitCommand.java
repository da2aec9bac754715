package dev.strata.cli;

import dev.strata.dsl.lang.NameRules;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    header = "Create a new project: a minimal one named after its directory, or the flights example.",
    description = {
      "Create a new project directory: by default a minimal project named after the directory (one entity,",
      "one source with a few events in data/events.csv, one feature group, one service); with --example flights,",
      "the full flights example (20,000 events, three groups, a training set, a monitor). Both get a strata.yaml,",
      "a JSON Schema for your editor and a .gitignore that keeps .strata/ (the local warehouse) out of git.",
      "Refuses to overwrite existing files."
    })
final class InitCommand implements Callable<Integer> {
  /** The files of examples/flights, bundled into the jar at build time. */
  static final List<String> FLIGHTS =
      List.of("strata.yaml", "entities.yaml", "features.yaml", "data/flights-20k.csv", "data/README.md");
  /** The minimal template ({@code {{project}}} replaced by the project's name). */
  static final List<String> MINIMAL = List.of("strata.yaml", "entities.yaml", "features.yaml", "data/events.csv");

  @Spec CommandSpec spec;

  @Parameters(index = "0", arity = "0..1", paramLabel = "DIR", description = "The new project directory (default: .).")
  Path dir;

  @Option(names = "--example", paramLabel = "NAME", description = "Copy an example instead: flights.")
  String example;

  @Option(names = "--name", paramLabel = "PROJECT", description = "The project's name (default: from the directory's name).")
  String name;

  @Override
  public Integer call() throws IOException {
    Path target = dir == null ? Path.of(".") : dir;
    if (example != null && !example.equals("flights")) {
      throw new UserException("Cannot create project: unknown example '" + example + "' (known: flights)");
    }
    boolean flights = example != null;
    List<String> files = flights ? FLIGHTS : MINIMAL;
    String project = flights ? "flights" : name != null ? checkedName(name) : nameOf(target);
    List<String> all = new java.util.ArrayList<>(files);
    all.addAll(List.of("strata.schema.json", ".gitignore"));
    for (String f : all) {
      if (Files.exists(target.resolve(f))) {
        throw new UserException("Cannot create project in " + target + ": " + target.resolve(f) + " already exists");
      }
    }
    for (String f : files) {
      String text = resource((flights ? "template/" : "minimal/") + f)
          // The schema reference points into the Strata repository; a new project gets its own copy.
          .replace("$schema=../../docs/strata.schema.json", "$schema=strata.schema.json")
          .replace("{{project}}", project);
      Path file = target.resolve(f);
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, text);
    }
    Files.writeString(target.resolve("strata.schema.json"), dev.strata.dsl.lang.JsonSchemaExporter.exportPretty() + "\n");
    Files.writeString(target.resolve(".gitignore"), resource("minimal/gitignore"));
    var out = spec.commandLine().getOut();
    out.println("Created project '" + project + "' in " + target + ":");
    all.forEach(n -> out.println("  " + target.resolve(n)));
    String c = dir == null ? "" : " -C " + target;
    out.println("Next: strata validate" + c + " && strata plan" + c);
    return 0;
  }

  /** A name the language accepts ({@link NameRules}), from a directory's name: lower case, words joined by one _. */
  static String nameOf(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    String base = abs.getFileName() == null ? "" : abs.getFileName().toString();
    String n = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_+|_+$", "");
    if (n.isEmpty()) {
      n = "features";
    }
    if (!Character.isLetter(n.charAt(0))) {
      n = "p_" + n;
    }
    return n.length() > NameRules.MAX_LENGTH ? n.substring(0, NameRules.MAX_LENGTH).replaceAll("_+$", "") : n;
  }

  private static String checkedName(String n) {
    if (!n.matches(NameRules.NAME_PATTERN) || n.length() > NameRules.MAX_LENGTH) {
      throw new UserException("Cannot create project: --name '" + n + "' is not a name: a letter, then letters and digits,"
          + " words joined by one _, at most " + NameRules.MAX_LENGTH + " characters");
    }
    return n;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = InitCommand.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("Cannot create project: template file " + name + " is missing from this build");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}
