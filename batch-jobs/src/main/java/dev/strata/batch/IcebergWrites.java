package dev.strata.batch;

import java.util.Objects;
import java.util.Optional;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.SnapshotSummary;
import org.apache.iceberg.Table;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.DataFrameWriterV2;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

/**
 * Atomic writes of Strata's Iceberg tables.
 *
 * <p>Every write of a day-partitioned table is <em>clustered</em>: each partition's rows are in one
 * task and sorted by partition there, so Iceberg's clustered writer holds one open data file at a
 * time and closes it when the next partition starts. Iceberg's default for an unsorted table is
 * the fan-out writer ({@code fanout-enabled}), which keeps one open Parquet writer (page and
 * compression buffers, about a megabyte or more) per partition a task has seen: a backfill over
 * decades put thousands of days in one task and ran out of a 6 GB heap. Spark's sort spills to
 * disk, so a task's memory no longer grows with the number of days it writes. With the fan-out
 * writer off, Iceberg asks Spark for the sort by partition, and its clustered writer fails
 * loudly rather than opening a second file should rows ever arrive out of partition order.
 */
final class IcebergWrites {
  static final String VERSION_PROPERTY = "strata.group-version";
  /**
   * Parquet's page size for the day-partitioned tables. Parquet allocates a compression buffer of
   * one page for every file it opens: at the default 1 MB, a backfill writing one small file per
   * day for decades allocated 17 GB of buffers (62% of all its allocation) for a few megabytes
   * of data, and each buffer is a humongous object for G1. A day's file is small; 64 KB pages
   * read as well.
   */
  static final String PAGE_SIZE_PROPERTY = "write.parquet.page-size-bytes";
  static final String PAGE_SIZE = String.valueOf(64 * 1024);

  private IcebergWrites() {}

  /**
   * {@code w} with the clustered-write options: Iceberg's hash distribution (a shuffle that puts
   * each partition in one task) and no fan-out writer. Write options win over table
   * properties, so tables created before these were set write clustered too.
   */
  static DataFrameWriterV2<Row> clustered(DataFrameWriterV2<Row> w) {
    return w.option("distribution-mode", "hash").option("fanout-enabled", "false");
  }

  /** {@code w} for rows already spread by partition: no shuffle of Iceberg's, its sort by partition, no fan-out writer. */
  private static DataFrameWriterV2<Row> dayClustered(DataFrameWriterV2<Row> w) {
    return w.option("distribution-mode", "none").option("fanout-enabled", "false");
  }

  /**
   * {@code w} (a create or replace) with the clustered-write options as table properties too, for
   * other writers of the table, and Strata's Parquet page size.
   */
  static DataFrameWriterV2<Row> clusteredTable(DataFrameWriterV2<Row> w) {
    return clustered(w).tableProperty("write.distribution-mode", "hash").tableProperty("write.spark.fanout.enabled", "false")
        .tableProperty(PAGE_SIZE_PROPERTY, PAGE_SIZE);
  }

  /**
   * Replaces the rows of {@code table} matching {@code range} with {@code rows} in one commit
   * (Iceberg overwrite by filter; the filter must select whole partitions). A table written by
   * another version of the group (a changed definition) is replaced whole: its old values no
   * longer mean what the columns say.
   *
   * <p>The rows are spread over tasks by {@code day} (the UTC day of the partition, one task
   * holding all of a day) into as many tasks as the job has partitions, at most one per day, and
   * written without a second shuffle: Iceberg's own hash distribution would coalesce a small
   * input into one task, which then writes every day's file alone.
   *
   * @return the number of rows written: the records its commit added, read from the snapshot
   *     summary rather than by scanning the range again (thousands of day files)
   */
  static long replaceRange(JobContext ctx, String table, Dataset<Row> rows, Column day, long days, Column range,
      Column partitioning, String groupVersion) {
    SparkSession spark = ctx.spark();
    Dataset<Row> byDay = rows.repartition((int) Math.max(1, Math.min(ctx.partitions(), days)), day);
    boolean exists = spark.catalog().tableExists(table);
    String version = exists ? currentVersion(spark, table) : null;
    Long before = exists ? currentSnapshot(spark, table).map(Snapshot::snapshotId).orElse(null) : null;
    try {
      if (exists && groupVersion.equals(version)) {
        if (!PAGE_SIZE.equals(property(spark, table, PAGE_SIZE_PROPERTY))) {
          spark.sql("ALTER TABLE " + table + " SET TBLPROPERTIES ('" + PAGE_SIZE_PROPERTY + "' = '" + PAGE_SIZE + "')");
        }
        addMissingColumns(spark, table, rows);
        dayClustered(byDay.writeTo(table)).overwrite(range);
      } else {
        var w = dayClustered(clusteredTable(byDay.writeTo(table))).partitionedBy(partitioning)
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
    Optional<Snapshot> after = currentSnapshot(spark, table);
    if (after.isEmpty() || Objects.equals(after.get().snapshotId(), before)) {
      return 0; // nothing committed: nothing written
    }
    return Long.parseLong(after.get().summary().getOrDefault(SnapshotSummary.ADDED_RECORDS_PROP, "0"));
  }

  /** The table's current snapshot id, or empty for a table without one. */
  static Optional<Long> snapshotId(JobContext ctx, String table) {
    return currentSnapshot(ctx.spark(), table).map(Snapshot::snapshotId);
  }

  private static Optional<Snapshot> currentSnapshot(SparkSession spark, String table) {
    try {
      Table t = Spark3Util.loadIcebergTable(spark, table);
      t.refresh();
      return Optional.ofNullable(t.currentSnapshot());
    } catch (Exception e) {
      throw new JobException("Cannot read the snapshots of " + table + ": " + StrataSpark.firstLine(e) + ".", e);
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
    return property(spark, table, VERSION_PROPERTY);
  }

  private static String property(SparkSession spark, String table, String name) {
    for (Row r : spark.sql("SHOW TBLPROPERTIES " + table).collectAsList()) {
      if (name.equals(r.getString(0))) {
        return r.getString(1);
      }
    }
    return null;
  }
}
