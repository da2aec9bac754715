import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.functions;
import org.apache.spark.sql.types.StringType;
import org.apache.spark.sql.types.StructField;

/**
 * The checksum of a training set written as Parquet (a harness helper, not a test): every row as
 * one canonical CSV line (columns in the file's order, each value as Spark casts it to text:
 * doubles by Java's round-tripping {@code Double.toString}, so that every bit counts, timestamps
 * to the microsecond in UTC; NULL as {@code \N}; text quoted when it holds a comma or a quote),
 * the lines sorted (the order Spark wrote them in does not count), then SHA-256 over the header
 * line and the sorted lines, each ending with a line feed. Only Spark expressions run in the
 * tasks (a single-file program's own classes do not reach them).
 *
 * <p>Args: PARQUET_PATH. Prints rows, columns and the hex digest.
 */
public final class TrainingSetChecksum {
  public static void main(String[] args) throws Exception {
    SparkSession spark = SparkSession.builder().appName("checksum").master(System.getProperty("spark.master", "local[2]"))
        .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1").config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.datetime.java8API.enabled", "true").getOrCreate();
    spark.sparkContext().setLogLevel("ERROR");
    Dataset<Row> rows = spark.read().parquet(args[0]);
    String[] names = rows.columns();
    Column[] cells = new Column[names.length];
    for (int i = 0; i < names.length; i++) {
      StructField f = rows.schema().fields()[i];
      Column text = functions.col("`" + f.name() + "`").cast("string");
      if (f.dataType() instanceof StringType) {
        text = functions.when(text.contains(",").or(text.contains("\"")),
            functions.concat(functions.lit("\""), functions.regexp_replace(text, "\"", "\"\""), functions.lit("\""))).otherwise(text);
      }
      cells[i] = functions.coalesce(text, functions.lit("\\N"));
    }
    Dataset<String> lines = rows.select(functions.concat_ws(",", cells).as("value")).as(Encoders.STRING()).sort("value");
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    sha.update((String.join(",", names) + "\n").getBytes(StandardCharsets.UTF_8));
    long n = 0;
    for (Iterator<String> it = lines.toLocalIterator(); it.hasNext(); n++) {
      sha.update((it.next() + "\n").getBytes(StandardCharsets.UTF_8));
    }
    System.out.printf(Locale.ROOT, "%s: %,d rows, %d columns, sha256 %s%n", args[0], n, names.length,
        HexFormat.of().formatHex(sha.digest()));
    System.exit(0);
  }
}
