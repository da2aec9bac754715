package dev.strata.monitoring.cli;

import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Metrics;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.io.Table;
import dev.strata.monitoring.io.Tables;
import dev.strata.monitoring.report.DriftJson;
import dev.strata.monitoring.report.DriftReport;
import dev.strata.monitoring.report.HtmlReport;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code strata drift --reference A --current B [--columns …] [--json]}: exact drift of the
 * given columns (default: every column both files have) between two CSV or JSON-lines files.
 * A column is numeric when every non-empty value in both files is a number, else categorical.
 *
 * <p>A column whose every value in both files is an ISO-8601 date or timestamp is neither: by
 * default it is skipped with a note, because two samples are usually two periods (January vs
 * March), whose times differ by construction; as categories every distinct time would be a
 * category (a PSI of 10 and "drift" for any two periods), and as numbers the current sample is
 * always 100% out of the reference range. Named with {@code --columns}, it is compared as
 * seconds since the epoch (a time without an offset is UTC), for samples of the same period.
 *
 * <p>Parquet is not read here (that needs Hadoop); the Spark monitor job will.
 */
public final class DriftCommandRunner {
  /** The exit code with {@link #withFailOnDrift} when a column drifted; as {@code strata monitor --fail-on-drift}. */
  public static final int EXIT_DRIFT = 3;

  private final Thresholds thresholds;
  private final Path htmlReport;
  private final String segmentColumn;
  private final boolean failOnDrift;

  public DriftCommandRunner() {
    this(Thresholds.defaults(), null, null, false);
  }

  private DriftCommandRunner(Thresholds thresholds, Path htmlReport, String segmentColumn, boolean failOnDrift) {
    this.thresholds = thresholds;
    this.htmlReport = htmlReport;
    this.segmentColumn = segmentColumn;
    this.failOnDrift = failOnDrift;
  }

  public DriftCommandRunner withThresholds(Thresholds newThresholds) {
    return new DriftCommandRunner(newThresholds, htmlReport, segmentColumn, failOnDrift);
  }

  /** Also writes the HTML report to this file. */
  public DriftCommandRunner withHtmlReport(Path file) {
    return new DriftCommandRunner(thresholds, file, segmentColumn, failOnDrift);
  }

  /**
   * {@link #run} returns {@link #EXIT_DRIFT} (after printing everything) when any column's
   * status, or any segment's, is drift; without it, drift is reported and the exit code is 0.
   */
  public DriftCommandRunner withFailOnDrift(boolean fail) {
    return new DriftCommandRunner(thresholds, htmlReport, segmentColumn, fail);
  }

  /**
   * Also computes drift per value of this column (e.g. origin airport), for the values the
   * reference has and the current file also has; named {@code "delay [origin=ATL]"}.
   */
  public DriftCommandRunner withSegmentColumn(String column) {
    return new DriftCommandRunner(thresholds, htmlReport, column, failOnDrift);
  }

  /**
   * Prints the drift table (or JSON) to {@code out}; returns 0, {@link #EXIT_DRIFT} with {@link
   * #withFailOnDrift} when a column drifted, or 1 with one sentence on {@code err} for bad input
   * (missing file, unknown column, malformed file).
   */
  public int run(Path reference, Path current, List<String> columns, boolean json, PrintStream out, PrintStream err) {
    try {
      DriftReport report = compute(reference, current, columns == null ? List.of() : columns, err);
      if (json) {
        out.println(DriftJson.toJson(report));
      } else {
        printTable(report, out);
      }
      if (htmlReport != null) {
        HtmlReport.write(report, htmlReport);
      }
      if (failOnDrift) {
        List<String> drifted = report.features().stream()
            .filter(f -> f.status() == dev.strata.monitoring.drift.Status.DRIFT).map(FeatureDrift::feature).toList();
        if (!drifted.isEmpty()) {
          err.println(String.format(Locale.ROOT, "Drift in %d column(s): %s (exit %d, --fail-on-drift).",
              drifted.size(), String.join(", ", drifted), EXIT_DRIFT));
          return EXIT_DRIFT;
        }
      }
      return 0;
    } catch (BadInput e) {
      err.println(e.getMessage());
      return 1;
    } catch (NoSuchFileException e) {
      err.println("Cannot read " + e.getFile() + ": file not found.");
      return 1;
    } catch (AccessDeniedException e) {
      err.println("Cannot read " + e.getFile() + ": permission denied.");
      return 1;
    } catch (IOException e) {
      err.println(e.getMessage());
      return 1;
    } catch (RuntimeException e) {
      // data no definition foresaw (a library refusing a sample): one sentence, not a trace
      err.println("Cannot compute drift: " + e.getMessage());
      return 1;
    }
  }

  /** The report for two files, for callers that want the values rather than text. */
  public DriftReport compute(Path reference, Path current, List<String> columns, PrintStream warnings) throws IOException {
    // a segment column names segments: its values stay text even when they look like numbers
    java.util.Set<String> text = segmentColumn == null ? java.util.Set.of() : java.util.Set.of(segmentColumn);
    Table ref = read(reference, "reference", text);
    Table cur = read(current, "current", text);
    List<String> names = new ArrayList<>();
    List<String> temporal = new ArrayList<>();
    if (columns.isEmpty()) {
      for (String c : ref.columnNames()) {
        if (cur.hasColumn(c)) {
          names.add(c);
        } else {
          warnings.println("Skipping column '" + c + "': not in the current file.");
        }
      }
      if (names.isEmpty()) {
        throw new BadInput("Cannot compute drift: the two files have no column in common.");
      }
      for (String c : List.copyOf(names)) {
        if (ref.isTemporal(c) && cur.isTemporal(c) && !c.equals(segmentColumn)) {
          names.remove(c);
          warnings.println("Skipping column '" + c + "': it holds dates or timestamps, which differ between two periods "
              + "by construction; name it in --columns to compare it as seconds since the epoch.");
        }
      }
      if (names.isEmpty()) {
        throw new BadInput("Cannot compute drift: the only columns the two files share hold dates or timestamps; "
            + "name them in --columns to compare them as seconds since the epoch.");
      }
    } else {
      for (String c : columns) {
        for (Table t : List.of(ref, cur)) {
          if (!t.hasColumn(c)) {
            throw new BadInput(String.format(Locale.ROOT,
                "Cannot compute drift of column '%s': %s has no such column (it has %s).", c, t.source(),
                String.join(", ", t.columnNames())));
          }
        }
        names.add(c);
      }
    }
    if (segmentColumn != null) {
      for (Table t : List.of(ref, cur)) {
        if (!t.hasColumn(segmentColumn)) {
          throw new BadInput(String.format(Locale.ROOT,
              "Cannot compute drift per segment: %s has no column '%s'.", t.source(), segmentColumn));
        }
      }
      names.remove(segmentColumn);
    }
    ExactDrift drift = new ExactDrift(thresholds);
    List<FeatureDrift> features = new ArrayList<>();
    List<String> numeric = new ArrayList<>();
    for (String c : names) {
      if (ref.isTemporal(c) && cur.isTemporal(c)) {
        temporal.add(c); // named in --columns: compared as epoch seconds
        numeric.add(c);
        continue;
      }
      boolean refNumeric = ref.isNumeric(c) || ref.allNull(c);
      boolean curNumeric = cur.isNumeric(c) || cur.allNull(c);
      if (refNumeric && curNumeric && !(ref.allNull(c) && cur.allNull(c))) {
        numeric.add(c);
      } else if (refNumeric != curNumeric) {
        // "N/A" in one file turns a number column into 10,000 categories: say so
        warnings.println(String.format(Locale.ROOT,
            "Treating column '%s' as categorical: the %s file has values that are not numbers.",
            c, refNumeric ? "current" : "reference"));
      }
    }
    // categorical columns held as numbers in one file (numbers there, text in the other) are
    // read again as text: their categories are the values as written ("007" is not "7")
    List<String> categorical = names.stream().filter(c -> !numeric.contains(c)).toList();
    ref = ref.asText(categorical);
    cur = cur.asText(categorical);
    features.addAll(drift(drift, ref, cur, names, numeric, temporal, ""));
    if (segmentColumn != null) {
      for (String seg : ref.distinctValues(segmentColumn)) {
        Table r = ref.filter(segmentColumn, seg);
        Table c = cur.filter(segmentColumn, seg);
        if (c.rows() > 0) {
          features.addAll(drift(drift, r, c, names, numeric, temporal, "[" + segmentColumn + "=" + seg + "]"));
        }
      }
    }
    return new DriftReport("Drift: " + current.getFileName() + " vs " + reference.getFileName(),
        reference.toString(), current.toString(), features, List.of(), thresholds,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
  }

  private static List<FeatureDrift> drift(ExactDrift drift, Table ref, Table cur, List<String> names,
      List<String> numeric, List<String> temporal, String suffix) {
    List<FeatureDrift> out = new ArrayList<>();
    for (String c : names) {
      String name = suffix.isEmpty() ? c : c + " " + suffix;
      if (temporal.contains(c)) {
        out.add(drift.numeric(name, ref.epochSeconds(c), cur.epochSeconds(c)));
        continue;
      }
      out.add(numeric.contains(c)
          ? drift.numeric(name, ref.doubles(c), cur.doubles(c))
          : drift.categorical(name, ref.categories(c), cur.categories(c)));
    }
    return out;
  }

  private static Table read(Path path, String role, java.util.Set<String> textColumns) throws IOException {
    if (path == null) {
      throw new BadInput("Cannot compute drift: no " + role + " file given.");
    }
    if (java.nio.file.Files.isDirectory(path)) {
      throw new BadInput("Cannot read " + path + ": it is a directory, expected a .csv or .jsonl file.");
    }
    Table t = Tables.read(path, textColumns);
    if (t.rows() == 0) {
      throw new BadInput("Cannot compute drift: the " + role + " file " + path + " has no rows.");
    }
    return t;
  }

  private static final String[][] TABLE_COLUMNS = {
      {Metrics.PSI, "psi"}, {Metrics.JS_DISTANCE, "js"}, {Metrics.KS, "ks"}, {Metrics.KS_PVALUE, "ks_p"},
      {Metrics.WASSERSTEIN, "wasserstein"}, {Metrics.WASSERSTEIN_NORMED, "w_normed"},
      {Metrics.CHI_SQUARE, "chi2"}, {Metrics.CHI_SQUARE_PVALUE, "chi2_p"},
      {Metrics.NULL_RATE_CHANGE, "null_chg"}, {Metrics.OUT_OF_RANGE, "out_range"}, {Metrics.UNSEEN_SHARE, "unseen"}};

  static void printTable(DriftReport report, PrintStream out) {
    List<String[]> rows = new ArrayList<>();
    String[] header = new String[TABLE_COLUMNS.length + 3];
    header[0] = "feature";
    header[1] = "kind";
    header[2] = "status";
    for (int i = 0; i < TABLE_COLUMNS.length; i++) {
      header[i + 3] = TABLE_COLUMNS[i][1];
    }
    rows.add(header);
    for (FeatureDrift f : report.features()) {
      String[] row = new String[header.length];
      row[0] = f.feature();
      row[1] = f.kind().label();
      row[2] = f.status().label();
      for (int i = 0; i < TABLE_COLUMNS.length; i++) {
        row[i + 3] = format(f.metric(TABLE_COLUMNS[i][0]));
      }
      rows.add(row);
    }
    int[] width = new int[header.length];
    for (String[] r : rows) {
      for (int i = 0; i < r.length; i++) {
        width[i] = Math.max(width[i], r[i].length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < r.length; i++) {
        String pad = " ".repeat(width[i] - r[i].length());
        line.append(i < 3 ? r[i] + pad : pad + r[i]).append(i + 1 < r.length ? "  " : "");
      }
      out.println(line.toString().stripTrailing());
    }
    for (FeatureDrift f : report.features()) {
      if (!f.reasons().isEmpty()) {
        out.println(f.feature() + ": " + f.status().label() + " (" + String.join("; ", f.reasons()) + ")");
      }
    }
  }

  private static String format(double v) {
    if (Double.isNaN(v)) {
      return "-";
    }
    if (v == 0) {
      return "0";
    }
    double a = Math.abs(v);
    return a >= 1e5 || a < 1e-3 ? String.format(Locale.ROOT, "%.3e", v) : String.format(Locale.ROOT, "%.4g", v);
  }

  /** Wrong input from a user: its message is the whole answer. */
  private static final class BadInput extends IOException {
    BadInput(String message) {
      super(message);
    }
  }

  /**
   * For trying it without the CLI: {@code --reference A --current B [--columns a,b]
   * [--segment col] [--json] [--report out.html]}.
   */
  public static void main(String[] args) {
    Path reference = null;
    Path current = null;
    Path report = null;
    String segment = null;
    List<String> columns = new ArrayList<>();
    boolean json = false;
    boolean failOnDrift = false;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      boolean hasValue = i + 1 < args.length;
      if (a.equals("--json")) {
        json = true;
      } else if (a.equals("--fail-on-drift")) {
        failOnDrift = true;
      } else if (a.equals("--reference") && hasValue) {
        reference = Path.of(args[++i]);
      } else if (a.equals("--current") && hasValue) {
        current = Path.of(args[++i]);
      } else if (a.equals("--segment") && hasValue) {
        segment = args[++i];
      } else if (a.equals("--report") && hasValue) {
        report = Path.of(args[++i]);
      } else if (a.equals("--columns") && hasValue) {
        for (String c : args[++i].split(",")) {
          if (!c.isBlank()) {
            columns.add(c.trim());
          }
        }
      } else {
        System.err.println("Cannot parse arguments: unexpected '" + a
            + "' (usage: --reference A --current B [--columns a,b] [--json] [--report out.html] [--fail-on-drift]).");
        System.exit(2);
      }
    }
    DriftCommandRunner runner = new DriftCommandRunner().withFailOnDrift(failOnDrift);
    if (report != null) {
      runner = runner.withHtmlReport(report);
    }
    if (segment != null) {
      runner = runner.withSegmentColumn(segment);
    }
    System.exit(runner.run(reference, current, columns, json, System.out, System.err));
  }
}
