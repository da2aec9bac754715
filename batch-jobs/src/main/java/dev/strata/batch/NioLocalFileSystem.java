package dev.strata.batch;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.attribute.PosixFilePermission;
import java.util.EnumSet;
import java.util.Set;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.apache.hadoop.fs.permission.FsPermission;

/**
 * Hadoop's raw local file system ({@code file:}) with permissions set through java.nio instead of
 * a {@code chmod} child process, and without {@code .crc} checksum files beside each file. Without
 * Hadoop's native library (Spark's jars do not ship it) Hadoop forks {@code chmod} for every file
 * and folder it creates: three processes per Parquet file (folder, file, checksum file), which
 * made a backfill that writes one small file per day for 36 years spend minutes forking. The
 * checksum files doubled the files written and guard only against local disk corruption, which
 * Parquet's own page checks and the file system already cover. Registered as {@code
 * fs.file.impl} by {@link StrataSpark#session}.
 */
public final class NioLocalFileSystem extends RawLocalFileSystem {
  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ
  };

  /** The scheme this file system is registered for (RawLocalFileSystem leaves it to LocalFileSystem). */
  @Override
  public String getScheme() {
    return "file";
  }

  @Override
  public void setPermission(Path p, FsPermission permission) throws IOException {
    short mode = permission.toShort();
    if ((mode & ~0777) != 0) {
      super.setPermission(p, permission); // sticky and set-id bits: java.nio cannot set them
      return;
    }
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BITS.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        perms.add(BITS[bit]);
      }
    }
    try {
      Files.setPosixFilePermissions(pathToFile(p).toPath(), perms);
    } catch (UnsupportedOperationException e) {
      super.setPermission(p, permission); // not a POSIX file system (Windows)
    }
  }
}
