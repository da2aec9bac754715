import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.batch.BatchJob;
import dev.strata.batch.SourceReader;
import dev.strata.batch.StrataSpark;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.PlanCompiler;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The Spark side of streaming-jobs' HostileInputConformanceTest, run in a child JVM with the batch
 * job's jar and Spark's classpath in Java's source-file mode (see BatchTileExport). For each file
 * named, reads it as the source SOURCE with the batch job's SourceReader (the reader of {@code
 * backfill} and {@code training-set}) and writes its events to {@code OUT_DIR/<n>.events}, one JSON
 * array per event of each value's text form ({@link TypedValues#format}); the rejects are in
 * {@code OUT_DIR/rejects/<n>}, where SourceReader writes them. Then builds the training set
 * TRAINING_SET with the batch job's own entry point into {@code OUT_DIR/training.csv}.
 *
 * <pre>java FLAGS -cp strata-batch-jobs.jar:SPARK SourceExport.java PROJECT_DIR OUT_DIR SOURCE TRAINING_SET FILE...</pre>
 */
public final class SourceExport {
  public static void main(String[] args) throws Exception {
    Path project = Path.of(args[0]);
    Path out = Path.of(args[1]);
    ProjectLoader.Loaded loaded = ProjectLoader.load(project);
    CompiledPlan plan = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    CompiledSource source = plan.source(args[2]).orElseThrow();
    SparkSession spark = StrataSpark.session(null);
    SourceReader reader = new SourceReader(spark, project, out.resolve("rejects").toString(), StrataSpark.DEFAULT_CATALOG);
    ObjectMapper json = new ObjectMapper();
    for (int f = 4; f < args.length; f++) {
      String name = "file" + (f - 4);
      SourceReader.Result r = reader.readPath(name, source.schema(), source.timestamp(), args[f], null);
      try (BufferedWriter w = Files.newBufferedWriter(out.resolve(name + ".events"), StandardCharsets.UTF_8)) {
        for (Iterator<Row> it = r.events().toLocalIterator(); it.hasNext(); ) {
          Row row = it.next();
          List<String> cells = new ArrayList<>();
          for (int i = 0; i < source.schema().size(); i++) {
            cells.add(TypedValues.format(row.get(i), source.schema().field(i).type()));
          }
          w.write(json.writeValueAsString(cells));
          w.write('\n');
        }
      }
      System.err.println(name + ": " + r.rows() + " events, " + r.rejected() + " rejects");
    }
    int code = BatchJob.run(new String[] {"--project", project.toString(), "training-set", args[3],
        "--out", out.resolve("training.csv").toString()}, System.err);
    System.exit(code);
  }
}
