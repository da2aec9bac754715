import dev.strata.monitoring.drift.CategoryCounts;
import dev.strata.monitoring.drift.ExactDrift;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.drift.Thresholds;
import dev.strata.monitoring.io.Table;
import dev.strata.monitoring.io.Tables;
import dev.strata.monitoring.report.DriftJson;
import dev.strata.monitoring.report.DriftReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Strata's exact drift of every column between two CSV files, timed by phase; run by run.sh
 * beside drift_scipy.py. Usage: DriftBenchmark REFERENCE.csv CURRENT.csv OUT.json
 */
public class DriftBenchmark {
  public static void main(String[] args) throws Exception {
    long t0 = System.nanoTime();
    Table ref = Tables.read(Path.of(args[0]));
    Table cur = Tables.read(Path.of(args[1]));
    long t1 = System.nanoTime();
    List<String> columns = ref.columnNames();
    // as strata drift does: a column numeric in one file only is categorical, read as text
    List<String> text = columns.stream().filter(c -> !(ref.isNumeric(c) && cur.isNumeric(c))).toList();
    Table refText = ref.asText(text);
    Table curText = cur.asText(text);
    List<Object[]> data = new ArrayList<>();
    for (String c : columns) {
      boolean numeric = ref.isNumeric(c) && cur.isNumeric(c);
      data.add(numeric
          ? new Object[] {c, ref.doubles(c), cur.doubles(c)}
          : new Object[] {c, refText.categories(c), curText.categories(c)});
    }
    long t2 = System.nanoTime();
    System.out.printf(Locale.ROOT, "java read_csv_s %.3f%n", (t1 - t0) / 1e9);
    System.out.printf(Locale.ROOT, "java to_arrays_s %.3f%n", (t2 - t1) / 1e9);
    List<FeatureDrift> result = null;
    // CPU time of this thread beside wall time: on a shared machine it moves far less with load
    java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
    // run 1 includes JIT warm-up; run 2 is steady state
    for (int run = 1; run <= 2; run++) {
      ExactDrift drift = ExactDrift.withDefaults();
      List<FeatureDrift> out = new ArrayList<>();
      long start = System.nanoTime();
      long startCpu = cpu.getCurrentThreadCpuTime();
      for (Object[] d : data) {
        long s = System.nanoTime();
        FeatureDrift f = d[1] instanceof double[]
            ? drift.numeric((String) d[0], (double[]) d[1], (double[]) d[2])
            : drift.categorical((String) d[0], (CategoryCounts) d[1], (CategoryCounts) d[2]);
        out.add(f);
        if (run == 2) {
          System.out.printf(Locale.ROOT, "java feature %s %s %.3f%n", d[0], f.kind().label(), (System.nanoTime() - s) / 1e9);
        }
      }
      System.out.printf(Locale.ROOT, "java drift_run%d_s %.3f%n", run, (System.nanoTime() - start) / 1e9);
      System.out.printf(Locale.ROOT, "java drift_run%d_cpu_s %.3f%n", run, (cpu.getCurrentThreadCpuTime() - startCpu) / 1e9);
      result = out;
    }
    Runtime rt = Runtime.getRuntime();
    System.gc();
    System.out.printf(Locale.ROOT, "java heap_used_after_gc_mib %.0f%n", (rt.totalMemory() - rt.freeMemory()) / 1048576.0);
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmHWM")) {
        System.out.println("java peak_rss_kib " + line.replaceAll("\\D", ""));
      }
    }
    DriftReport report = new DriftReport("benchmark", args[0], args[1], result, List.of(), Thresholds.defaults(), "");
    Files.writeString(Path.of(args[2]), DriftJson.toJson(report));
  }
}
