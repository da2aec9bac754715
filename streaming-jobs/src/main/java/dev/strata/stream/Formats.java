package dev.strata.stream;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** The record formats a stream source may use, by name. */
final class Formats {
  private Formats() {}

  /**
   * The format of a source's records; {@code csvHeader} is the header of a CSV file.
   *
   * @throws IllegalArgumentException for a format streams do not read (yet)
   */
  static RowFormat of(CompiledSource source, String format, java.util.List<String> csvHeader, ProjectSnapshot project) {
    String f = format == null ? "json" : format.toLowerCase(Locale.ROOT);
    return switch (f) {
      case "json" -> new JsonRowFormat(source.schema(), source.timestamp());
      case "avro" -> avro(source, project);
      case "csv" -> {
        if (csvHeader == null) {
          throw new IllegalArgumentException("Cannot read source '" + source.name() + "' as CSV: only files have a header line");
        }
        yield new CsvRowFormat(source.schema(), source.timestamp(), csvHeader);
      }
      default -> throw new IllegalArgumentException(
          "Cannot read source '" + source.name() + "': stream format '" + f + "' is not supported yet (use json, avro or csv)");
    };
  }

  /** Avro with the source's schema file, read here (where the job is built) and shipped with the format. */
  private static RowFormat avro(CompiledSource source, ProjectSnapshot project) {
    String file = source.stream() == null ? null : source.stream().avroSchema();
    if (file == null) {
      throw new IllegalArgumentException("Cannot read source '" + source.name() + "' as Avro: its stream has no avro_schema (an .avsc file)");
    }
    Path path = project.resolve(file);
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot read source '" + source.name() + "' as Avro: cannot read the schema file " + path);
    }
    return new AvroRowFormat(source.schema(), source.name(), text, file);
  }
}
