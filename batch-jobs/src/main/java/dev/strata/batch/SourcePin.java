package dev.strata.batch;

import dev.strata.dsl.io.FileManifest;

/**
 * A source's batch input as it was when a job read it: for a table source the Iceberg snapshot
 * id, for a file source the manifest of its files. A training set records its pins, and
 * {@code --as-of} reads the sources through them again.
 *
 * @param source     the source's name
 * @param table      the table (namespace.table) of a table source, else null
 * @param snapshotId the table's snapshot then (null: it had none)
 * @param path       the path of a file source, relative to the project, else null
 * @param manifest   the files of a file source then, else null
 */
public record SourcePin(String source, String table, Long snapshotId, String path, FileManifest manifest) {
  static SourcePin table(String source, String table, Long snapshotId) {
    return new SourcePin(source, table, snapshotId, null, null);
  }

  static SourcePin files(String source, String path, FileManifest manifest) {
    return new SourcePin(source, null, null, path, manifest);
  }
}
