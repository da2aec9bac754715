package dev.strata.batch;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** One local[2] session for the whole test JVM (starting Spark costs seconds). */
final class SparkTestSession {
  private static SparkSession spark;

  private SparkTestSession() {}

  static synchronized SparkSession get() {
    if (spark == null) {
      System.setProperty("spark.master", "local[2]");
      spark = StrataSpark.session("local[2]");
      spark.conf().set("spark.sql.shuffle.partitions", "4");
      spark.sparkContext().setLogLevel("WARN");
    }
    return spark;
  }

  /** The project's configuration with the warehouse (and so the SQLite catalog) in {@code warehouse}. */
  static StrataConfig config(Path projectDir, Path warehouse) {
    return StrataConfig.load(projectDir, Map.of("STRATA_WAREHOUSE", warehouse.toString()));
  }

  static JobContext context(Path projectDir, Path warehouse) {
    return new JobContext(get(), config(projectDir, warehouse), ProjectSnapshot.read(projectDir), StrataSpark.DEFAULT_CATALOG,
        Progress.silent());
  }

  /** A Spark row value as a feature-dsl value (Seq to List, Instant to microseconds). */
  static Object strataValue(Object v) {
    if (v instanceof scala.collection.Seq<?> s) {
      return scala.jdk.javaapi.CollectionConverters.asJava(s).stream().map(SparkTestSession::strataValue).toList();
    }
    if (v instanceof java.time.Instant i) {
      return SparkValues.micros(i);
    }
    return v;
  }

  static Object field(Row r, String name) {
    return strataValue(r.get(r.fieldIndex(Objects.requireNonNull(name))));
  }
}
