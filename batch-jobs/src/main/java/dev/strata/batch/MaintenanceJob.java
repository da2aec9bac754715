package dev.strata.batch;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.iceberg.Snapshot;
import org.apache.iceberg.Table;
import org.apache.iceberg.io.FileIO;
import org.apache.iceberg.spark.Spark3Util;
import org.apache.iceberg.spark.actions.SparkActions;

/**
 * Expires old snapshots and deletes orphan files (files in a table's folder no snapshot references,
 * such as those a killed job wrote before it could commit) of every Strata table: those of the
 * project's namespace (groups, tiles, monitoring and log tables) and of namespace {@code training}.
 * Rows readers see never change: only snapshots older than the retention (and never the newest
 * {@code keepLast}) and unreferenced files older than {@code orphanAgeMillis} go.
 */
final class MaintenanceJob {
  /** The namespace training sets are written to by default. */
  static final String TRAINING_NAMESPACE = "training";

  /** What one table's maintenance removed (or, with a dry run, would remove). */
  record TableResult(String table, int snapshotsExpired, long filesOfExpiredSnapshots, List<String> orphanFiles, long bytes) {}

  private final JobContext ctx;

  MaintenanceJob(JobContext ctx) {
    this.ctx = ctx;
  }

  /** A table of the catalog: {@code namespace.name}. */
  record TableRef(String namespace, String name) {
    @Override
    public String toString() {
      return namespace + "." + name;
    }
  }

  /** The catalog's tables of the project's namespace and of {@code training}, sorted. */
  List<TableRef> tables() {
    List<TableRef> out = new ArrayList<>();
    Set<String> namespaces = new java.util.LinkedHashSet<>(List.of(ctx.config().namespace(), TRAINING_NAMESPACE));
    for (String ns : namespaces) {
      String qualified = ctx.catalog() + "." + StrataSpark.quote(ns);
      List<String> names;
      try {
        names = ctx.spark().sql("SHOW TABLES IN " + qualified).collectAsList().stream().map(r -> r.getString(1)).sorted().toList();
      } catch (Exception e) {
        if (String.valueOf(e.getMessage()).contains("not found") || e.getClass().getSimpleName().contains("NoSuchNamespace")) {
          continue; // no job wrote to this namespace yet
        }
        throw new JobException("Cannot list the tables of " + qualified + ": " + StrataSpark.firstLine(e) + ".", e);
      }
      for (String n : names) {
        out.add(new TableRef(ns, n));
      }
    }
    return out;
  }

  /**
   * Expires the table's snapshots older than {@code expireOlderThanMillis} except the newest
   * {@code keepLast}, then deletes its orphan files older than {@code orphanOlderThanMillis}.
   */
  TableResult run(TableRef ref, long expireOlderThanMillis, int keepLast, long orphanOlderThanMillis, boolean dryRun) {
    String name = ctx.catalog() + "." + StrataSpark.quote(ref.namespace()) + "." + StrataSpark.quote(ref.name());
    Table table;
    try {
      table = Spark3Util.loadIcebergTable(ctx.spark(), name);
    } catch (Exception e) {
      throw new JobException("Cannot load table " + ref + ": " + StrataSpark.firstLine(e) + ".", e);
    }
    FileIO io = table.io();
    AtomicLong bytes = new AtomicLong();
    int expired;
    long expiredFiles;
    try {
      if (dryRun) {
        // the core API's apply() computes the snapshots that stay without committing anything
        Set<Long> kept = new HashSet<>();
        table.expireSnapshots().expireOlderThan(expireOlderThanMillis).retainLast(keepLast).apply()
            .forEach(s -> kept.add(s.snapshotId()));
        int count = 0;
        for (Snapshot s : table.snapshots()) {
          count += kept.contains(s.snapshotId()) ? 0 : 1;
        }
        expired = count;
        expiredFiles = 0;
      } else {
        int before = size(table.snapshots());
        var r = SparkActions.get(ctx.spark()).expireSnapshots(table)
            .expireOlderThan(expireOlderThanMillis).retainLast(keepLast)
            .deleteWith(measured(io, bytes, false))
            .execute();
        table.refresh();
        expired = before - size(table.snapshots());
        expiredFiles = r.deletedDataFilesCount() + r.deletedEqualityDeleteFilesCount() + r.deletedPositionDeleteFilesCount()
            + r.deletedManifestsCount() + r.deletedManifestListsCount() + r.deletedStatisticsFilesCount();
      }
      List<String> orphans = new ArrayList<>();
      Consumer<String> delete = measured(io, bytes, dryRun);
      SparkActions.get(ctx.spark()).deleteOrphanFiles(table).olderThan(orphanOlderThanMillis)
          .deleteWith(location -> {
            orphans.add(location);
            delete.accept(location);
          })
          .execute();
      orphans.sort(null);
      return new TableResult(ref.toString(), expired, expiredFiles, List.copyOf(orphans), bytes.get());
    } catch (JobException e) {
      throw e;
    } catch (Exception e) {
      throw new JobException("Cannot maintain table " + ref + ": " + StrataSpark.firstLine(e) + ".", e);
    }
  }

  /** Adds each file's length to {@code bytes}, then deletes it unless {@code dryRun}. */
  private static Consumer<String> measured(FileIO io, AtomicLong bytes, boolean dryRun) {
    return location -> {
      try {
        bytes.addAndGet(io.newInputFile(location).getLength());
      } catch (RuntimeException e) {
        // a file gone already counts no bytes; deleting it below is then a no-op
      }
      if (!dryRun) {
        io.deleteFile(location);
      }
    };
  }

  private static int size(Iterable<?> it) {
    int n = 0;
    for (Object ignored : it) {
      n++;
    }
    return n;
  }
}
