package dev.strata.dsl.testing;

import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.oracle.CsvEvents;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanCompiler;
import dev.strata.dsl.types.Schema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The bundled flights example and its 20,000-event sample, for tests in every module (this
 * class ships in feature-dsl's test jar). Rows follow the source schema (date, delay, distance,
 * origin, destination) with times in microseconds.
 */
public final class FlightsSample {
  private FlightsSample() {}

  /** examples/flights, found from any module directory of the repository. */
  public static Path exampleDir() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      Path candidate = dir.resolve("examples/flights");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
      dir = dir.getParent();
    }
    throw new IllegalStateException("Cannot find examples/flights above " + Path.of("").toAbsolutePath());
  }

  public static CompiledPlan plan() {
    ProjectLoader.Loaded loaded = ProjectLoader.load(exampleDir());
    PlanCompiler.Result r = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
    return r.plan().orElseThrow(() -> new IllegalStateException("examples/flights does not compile:\n" + r.diagnostics()));
  }

  /** The events of data/flights-20k.csv in the order of the file. */
  public static List<Object[]> events() {
    return readCsv(exampleDir().resolve("data/flights-20k.csv"), plan().source("flights").orElseThrow().schema());
  }

  /** Reads the simple CSV of the sample (a header, no quoting) into rows of {@code schema}. */
  public static List<Object[]> readCsv(Path file, Schema schema) {
    return CsvEvents.read(file, schema);
  }
}
