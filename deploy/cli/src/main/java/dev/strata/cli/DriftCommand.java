package dev.strata.cli;

import dev.strata.monitoring.cli.DriftCommandRunner;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "drift",
    header = "Compare a current sample with a reference sample, column by column.",
    mixinStandardHelpOptions = true,
    description = {
      "Compare a current sample with a reference sample, column by column (CSV, Parquet or JSON lines files): PSI, "
          + "KS statistic and p-value, Wasserstein (raw and normed), Jensen-Shannon distance, chi-square for "
          + "categorical columns, null-rate change and share out of the reference range, computed exactly "
          + "(definitions in docs/design.md, equal to scipy's), with a status per column (ok / warn / drift).",
      "",
      "Columns of ISO-8601 dates or timestamps are skipped with a note (two periods differ in time by "
          + "construction); named in --columns they are compared as seconds since the epoch.",
      "",
      "Prints a table, or JSON with --json. Exit codes: 0 done (drift or not); 3 with --fail-on-drift when any "
          + "column drifts (as 'strata monitor --fail-on-drift'); 1 with one sentence on bad input."
    })
final class DriftCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--reference", required = true, paramLabel = "FILE", description = "The reference sample.")
  Path reference;

  @Option(names = "--current", required = true, paramLabel = "FILE", description = "The current sample.")
  Path current;

  @Option(names = "--columns", split = ",", paramLabel = "COL", description = "Columns to compare (default: all shared columns).")
  List<String> columns = List.of();

  @Option(names = "--json", description = "Print JSON instead of a table.")
  boolean json;

  @Option(names = "--report", paramLabel = "FILE", description = "Also write a self-contained HTML report.")
  Path report;

  @Option(names = "--segment", paramLabel = "COL", description = "Also compute drift per value of this column.")
  String segment;

  @Option(names = "--fail-on-drift", description = "Exit with code 3 when any column's status is drift.")
  boolean failOnDrift;

  @Override
  public Integer call() {
    DriftCommandRunner runner = new DriftCommandRunner().withFailOnDrift(failOnDrift);
    if (report != null) {
      runner = runner.withHtmlReport(report);
    }
    if (segment != null) {
      runner = runner.withSegmentColumn(segment);
    }
    PrintStream out = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true, StandardCharsets.UTF_8);
    PrintStream err = new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true, StandardCharsets.UTF_8);
    int code = runner.run(reference, current, columns, json, out, err);
    out.flush();
    err.flush();
    return code;
  }

  /** Bridges picocli's writers to the runner's streams, so tests capture both. */
  private static final class WriterOutputStream extends java.io.OutputStream {
    private final java.io.PrintWriter writer;
    private final java.io.ByteArrayOutputStream line = new java.io.ByteArrayOutputStream();

    WriterOutputStream(java.io.PrintWriter writer) {
      this.writer = writer;
    }

    @Override
    public void write(int b) {
      line.write(b);
      if (b == '\n') {
        flush();
      }
    }

    @Override
    public void flush() {
      writer.write(line.toString(StandardCharsets.UTF_8));
      writer.flush();
      line.reset();
    }
  }
}
