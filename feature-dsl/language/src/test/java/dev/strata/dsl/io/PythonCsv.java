package dev.strata.dsl.io;

import dev.strata.dsl.testing.Python;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Python's csv module as an independent reader of the same files (skipped without python3). */
final class PythonCsv {
  private PythonCsv() {}

  static boolean available() {
    return Python.available();
  }

  static List<List<List<String>>> read(List<Path> files) {
    return Python.readCsv(files);
  }

  /** What Python reads for cells written by Strata: NULL and "" both as "". */
  static List<List<String>> asPython(List<List<String>> rows) {
    List<List<String>> out = new ArrayList<>();
    for (List<String> r : rows) {
      out.add(r.stream().map(c -> c == null ? "" : c).toList());
    }
    return out;
  }
}
