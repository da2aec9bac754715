import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.Locale;
import org.apache.spark.api.java.function.MapFunction;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * The checksum of a training set written as Parquet (a harness helper, not a test): every row as
 * one canonical CSV line (columns in the file's order, NULL as {@code \N}, doubles by
 * {@link Double#toString} so that every bit counts, timestamps as ISO instants, text quoted when
 * it holds a comma, quote or line break), the lines sorted (so the order Spark wrote them in does
 * not count), then SHA-256 over the header line and the sorted lines, each ending with a line
 * feed. Two outputs with the same checksum hold the same rows, column by column, bit for bit.
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
    Dataset<String> lines = rows.map((MapFunction<Row, String>) TrainingSetChecksum::line, Encoders.STRING())
        .sort("value");
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

  static String line(Row r) {
    StringBuilder b = new StringBuilder(256);
    for (int i = 0; i < r.size(); i++) {
      if (i > 0) {
        b.append(',');
      }
      Object v = r.get(i);
      if (v == null) {
        b.append("\\N");
      } else if (v instanceof Double d) {
        b.append(Double.toString(d));
      } else if (v instanceof Float f) {
        b.append(Float.toString(f));
      } else if (v instanceof Instant t) {
        b.append(t);
      } else if (v instanceof String s) {
        b.append(s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")
            ? "\"" + s.replace("\"", "\"\"") + "\"" : s);
      } else if (v instanceof byte[] bytes) {
        b.append(HexFormat.of().formatHex(bytes));
      } else {
        b.append(v);
      }
    }
    return b.toString();
  }
}
