package dev.strata.dsl.oracle;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.Schema;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Events for the oracle from a simple CSV file (a header, no quoting, as the bundled flights
 * sample): rows in the schema's order, timestamps in microseconds, empty cells NULL. For tests
 * and demos: the engines read sources with their own, strict readers.
 */
public final class CsvEvents {
  private CsvEvents() {}

  public static List<Object[]> read(Path file, Schema schema) {
    try {
      List<String> lines = Files.readAllLines(file);
      List<String> header = List.of(lines.get(0).split(",", -1));
      int[] column = new int[schema.size()];
      for (int i = 0; i < column.length; i++) {
        column[i] = header.indexOf(schema.field(i).name());
      }
      List<Object[]> rows = new ArrayList<>(lines.size() - 1);
      for (String line : lines.subList(1, lines.size())) {
        String[] cells = line.split(",", -1);
        Object[] row = new Object[schema.size()];
        for (int i = 0; i < row.length; i++) {
          String cell = column[i] < 0 ? "" : cells[column[i]];
          row[i] = cell.isEmpty() ? null : switch (schema.field(i).type().sqlName()) {
            case "bigint" -> Long.valueOf(cell);
            case "double" -> Double.valueOf(cell);
            case "timestamp" -> Durations.parseInstant(cell);
            case "boolean" -> Boolean.valueOf(cell);
            default -> cell;
          };
        }
        rows.add(row);
      }
      return rows;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read events from " + file + ": " + e.getMessage(), e);
    }
  }
}
