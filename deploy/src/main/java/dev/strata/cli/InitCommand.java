package dev.strata.cli;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "init",
    mixinStandardHelpOptions = true,
    description = {
      "Create a new project directory with a working example: the flights features",
      "(entities, a source with 20,000 bundled events, feature groups, a service, a training set,",
      "a monitor) and a strata.yaml. Refuses to overwrite existing files."
    })
final class InitCommand implements Callable<Integer> {
  /** The files of examples/flights, bundled into the jar at build time. */
  static final List<String> TEMPLATE =
      List.of("strata.yaml", "entities.yaml", "features.yaml", "data/flights-20k.csv", "data/README.md");

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "DIR", description = "The new project directory.")
  Path dir;

  @Override
  public Integer call() throws IOException {
    for (String name : TEMPLATE) {
      if (Files.exists(dir.resolve(name))) {
        throw new UserException("Cannot create project in " + dir + ": " + dir.resolve(name) + " already exists");
      }
    }
    for (String name : TEMPLATE) {
      Path target = dir.resolve(name);
      Files.createDirectories(target.toAbsolutePath().getParent());
      try (InputStream in = InitCommand.class.getResourceAsStream("template/" + name)) {
        if (in == null) {
          throw new IllegalStateException("Cannot create project: template file " + name + " is missing from this build");
        }
        String text = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        // The schema reference points into the Strata repository; a new project gets its own copy via 'strata schema'.
        text = text.replace("$schema=../../docs/strata.schema.json", "$schema=strata.schema.json");
        Files.writeString(target, text);
      }
    }
    Files.writeString(dir.resolve("strata.schema.json"), dev.strata.dsl.lang.JsonSchemaExporter.exportPretty() + "\n");
    var out = spec.commandLine().getOut();
    out.println("Created project in " + dir + ":");
    TEMPLATE.forEach(n -> out.println("  " + dir.resolve(n)));
    out.println("  " + dir.resolve("strata.schema.json") + "  (JSON Schema for your editor)");
    out.println("Next: strata validate " + dir + " && strata plan " + dir);
    return 0;
  }
}
