import dev.strata.batch.BatchJob;
import dev.strata.batch.StrataSpark;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.KeyColumn;
import dev.strata.dsl.plan.PlanCompiler;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The batch side of streaming-jobs' BatchStreamTilesTest, run in a child JVM with the batch job's
 * jar and Spark's classpath in Java's source-file mode (Spark is not on streaming-jobs' classpath,
 * so Maven does not compile this file). Runs the batch job's own entry point for
 * {@code materialize --all --at AT}, then exports every row of each online group's Iceberg
 * {@code <group>__tiles} table, read through the same Spark session and catalog, as one line of
 * tab-separated text: group, version, hop (micros), tile start (micros), Base64 of the tile bytes,
 * then Base64 of each entity key value's text.
 *
 * <pre>java FLAGS -cp strata-batch-jobs.jar:SPARK BatchTileExport.java PROJECT_DIR AT OUT_FILE</pre>
 */
public final class BatchTileExport {
  public static void main(String[] args) throws Exception {
    Path project = Path.of(args[0]);
    int code = BatchJob.run(new String[] {"--project", project.toString(), "materialize", "--all", "--at", args[1]}, System.err);
    if (code != 0) {
      System.exit(code);
    }
    ProjectLoader.Loaded loaded = ProjectLoader.load(project);
    CompiledPlan plan = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    StrataConfig config = StrataConfig.load(project);
    SparkSession spark = StrataSpark.session(null); // the session materialize used
    StrataSpark.registerCatalog(spark, config, StrataSpark.DEFAULT_CATALOG);
    Base64.Encoder base64 = Base64.getEncoder();
    long rows = 0;
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[2]), StandardCharsets.UTF_8)) {
      for (CompiledGroup g : plan.groups()) {
        if (!g.online()) {
          continue;
        }
        List<String> columns = new ArrayList<>();
        for (KeyColumn k : g.keys()) {
          columns.add(quote(k.name()));
        }
        columns.addAll(List.of("group_version", "hop", "tile_start", "tile"));
        String table = StrataSpark.DEFAULT_CATALOG + "." + quote(config.namespace()) + "." + quote(g.name() + "__tiles");
        Iterator<Row> it = spark.sql("SELECT " + String.join(", ", columns) + " FROM " + table).toLocalIterator();
        int keys = g.keys().size();
        while (it.hasNext()) {
          Row r = it.next();
          StringBuilder line = new StringBuilder(g.name()).append('\t').append(r.getString(keys)).append('\t')
              .append(r.getLong(keys + 1)).append('\t').append(micros((Instant) r.get(keys + 2))).append('\t')
              .append(base64.encodeToString((byte[]) r.get(keys + 3)));
          for (int i = 0; i < keys; i++) {
            Object v = r.get(i);
            String text = v instanceof Instant t ? Long.toString(micros(t)) : String.valueOf(v);
            line.append('\t').append(base64.encodeToString(text.getBytes(StandardCharsets.UTF_8)));
          }
          out.write(line.append('\n').toString());
          rows++;
        }
      }
    }
    System.err.println("exported " + rows + " tiles to " + args[2]);
    System.exit(0);
  }

  private static String quote(String identifier) {
    return "`" + identifier.replace("`", "``") + "`";
  }

  private static long micros(Instant t) {
    return Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1000);
  }
}
