package dev.strata.dsl.oracle;

import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.EventFiles;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Events for the oracle from an event file (CSV or JSON by its name), read exactly as the
 * engines read it ({@link EventFiles}): rows in the schema's order, timestamps in microseconds,
 * rejects set aside with their reasons.
 */
public final class CsvEvents {
  private CsvEvents() {}

  /** The events and the rejects of a file, in file order. */
  public record Result(List<Object[]> events, List<EventFiles.Decoded> rejects) {}

  /**
   * Reads a file's events.
   *
   * @throws IllegalArgumentException (one sentence) when the file cannot be read as events
   */
  public static Result readAll(Path file, Schema schema, String timeColumn) {
    EventFiles.Format format = EventFiles.Format.of(null, file.getFileName().toString());
    if (format == null) {
      throw new IllegalArgumentException("Cannot read events from " + file + ": expected a .csv or .json file");
    }
    List<Object[]> events = new ArrayList<>();
    List<EventFiles.Decoded> rejects = new ArrayList<>();
    for (Path f : EventFiles.files(file)) {
      try (EventFiles.Reader r = EventFiles.open(f, format, EventDecoder.of(schema, timeColumn))) {
        for (EventFiles.Decoded d = r.next(); d != null; d = r.next()) {
          if (d.isOk()) {
            events.add(d.row());
          } else {
            rejects.add(d);
          }
        }
      }
    }
    return new Result(events, rejects);
  }

  /** The events of a file (rejects left out), with {@code timeColumn} as the event time. */
  public static List<Object[]> read(Path file, Schema schema, String timeColumn) {
    return readAll(file, schema, timeColumn).events();
  }

  /** The events of a file whose event time is the schema's first timestamp column. */
  public static List<Object[]> read(Path file, Schema schema) {
    String time = schema.fields().stream().filter(f -> f.type() == DataType.TIMESTAMP).map(Field::name).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("Cannot read events from " + file + ": the schema has no timestamp column"));
    return read(file, schema, time);
  }
}
