package dev.strata.cli;

import dev.strata.dsl.lang.JsonSchemaExporter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "schema",
    header = "Print the JSON Schema of definition files, for editors.",
    mixinStandardHelpOptions = true,
    description = {
      "Print the JSON Schema (draft 2020-12) of definition files, for editors",
      "(e.g. the YAML language server: '# yaml-language-server: $schema=strata.schema.json')."
    })
final class SchemaCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = {"-o", "--out"}, paramLabel = "FILE", description = "Write to FILE instead of standard output.")
  Path out;

  @Override
  public Integer call() throws IOException {
    String schema = JsonSchemaExporter.exportPretty();
    if (out == null) {
      spec.commandLine().getOut().println(schema);
    } else {
      if (out.toAbsolutePath().getParent() != null) {
        Files.createDirectories(out.toAbsolutePath().getParent());
      }
      Files.writeString(out, schema + "\n", StandardCharsets.UTF_8);
      spec.commandLine().getOut().println("Wrote " + out);
    }
    return 0;
  }
}
