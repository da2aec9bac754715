package dev.strata.batch;

import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/** Atomic writes of Strata's Iceberg tables. */
final class IcebergWrites {
  static final String VERSION_PROPERTY = "strata.group-version";

  private IcebergWrites() {}

  /**
   * Replaces the rows of {@code table} matching {@code range} with {@code rows} in one commit
   * (Iceberg overwrite by filter; the filter must select whole partitions). A table written by
   * another version of the group (a changed definition) is replaced whole: its old values no
   * longer mean what the columns say.
   */
  static void replaceRange(JobContext ctx, String table, Dataset<Row> rows, Column range, Column partitioning,
      String groupVersion) {
    SparkSession spark = ctx.spark();
    boolean exists = spark.catalog().tableExists(table);
    String version = exists ? currentVersion(spark, table) : null;
    try {
      if (exists && groupVersion.equals(version)) {
        addMissingColumns(spark, table, rows);
        rows.writeTo(table).overwrite(range);
      } else {
        var w = rows.writeTo(table).partitionedBy(partitioning)
            .tableProperty(VERSION_PROPERTY, groupVersion)
            .tableProperty("format-version", "2");
        if (exists) {
          w.createOrReplace();
        } else {
          w.create();
        }
      }
    } catch (Exception e) {
      if (e instanceof JobException j) {
        throw j;
      }
      throw new JobException("Cannot write " + table + ": " + StrataSpark.firstLine(e) + ".", e);
    }
  }

  /**
   * Replaces the rows of {@code table} matching {@code filter} with {@code rows} in one commit,
   * creating the table (format 2, partitioned by {@code partitioning}) on first write: the
   * monitoring tables, whose reruns replace their own slices. With identity partitions the filter
   * selects whole files, as an overwrite by filter requires.
   */
  static void replaceRows(JobContext ctx, String table, Dataset<Row> rows, Column filter, Column... partitioning) {
    try {
      if (!ctx.spark().catalog().tableExists(table)) {
        rows.writeTo(table).partitionedBy(partitioning[0], java.util.Arrays.copyOfRange(partitioning, 1, partitioning.length))
            .tableProperty("format-version", "2")
            .create();
      } else {
        rows.writeTo(table).overwrite(filter);
      }
    } catch (Exception e) {
      throw new JobException("Cannot write " + table + ": " + StrataSpark.firstLine(e) + ".", e);
    }
  }

  /**
   * Adds the nullable columns {@code rows} has and the table lacks (a table written by an earlier
   * Strata of the same group version): Iceberg's schema evolution, old rows read NULL there.
   */
  private static void addMissingColumns(SparkSession spark, String table, Dataset<Row> rows) {
    java.util.Set<String> existing = new java.util.HashSet<>(java.util.Arrays.asList(spark.table(table).columns()));
    for (org.apache.spark.sql.types.StructField f : rows.schema().fields()) {
      if (!existing.contains(f.name()) && f.nullable()) {
        spark.sql("ALTER TABLE " + table + " ADD COLUMN " + f.name() + " " + f.dataType().sql());
      }
    }
  }

  private static String currentVersion(SparkSession spark, String table) {
    for (Row r : spark.sql("SHOW TBLPROPERTIES " + table).collectAsList()) {
      if (VERSION_PROPERTY.equals(r.getString(0))) {
        return r.getString(1);
      }
    }
    return null;
  }
}
