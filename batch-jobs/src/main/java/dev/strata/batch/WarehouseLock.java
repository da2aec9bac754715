package dev.strata.batch;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The warehouse's lock file {@code <warehouse>/.strata.lock}: every job that writes tables holds it
 * shared, maintenance holds it exclusive, so that orphan-file removal never deletes the files of a
 * job still writing. Only local warehouses have one (a URI warehouse such as s3:// has no file
 * locks); there maintenance relies on its --older-than age. Released by {@link #close}, and by the
 * operating system when the JVM exits, however it exits.
 */
final class WarehouseLock implements AutoCloseable {
  /** The lock file's name in the warehouse folder. */
  static final String FILE = ".strata.lock";

  private final FileChannel channel;
  private final FileLock lock;

  private WarehouseLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /**
   * Holds the lock shared until {@link #close}. Waits while maintenance holds it exclusive. When this
   * JVM already holds it (a second job of the same process) returns a lock that holds nothing: the
   * first one covers both.
   */
  static WarehouseLock shared(Path warehouse) {
    FileChannel channel = open(warehouse);
    try {
      return new WarehouseLock(channel, channel.lock(0, Long.MAX_VALUE, true));
    } catch (OverlappingFileLockException e) {
      closeQuietly(channel);
      return new WarehouseLock(null, null);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new JobException("Cannot lock " + warehouse.resolve(FILE) + ": " + e.getMessage() + ".", e);
    }
  }

  /**
   * Holds the lock exclusive, waiting at most {@code waitMillis}; empty when a job holds it all that
   * time (in this JVM or another process).
   */
  static java.util.Optional<WarehouseLock> exclusive(Path warehouse, long waitMillis) {
    FileChannel channel = open(warehouse);
    long deadline = System.nanoTime() + waitMillis * 1_000_000L;
    try {
      while (true) {
        FileLock lock;
        try {
          lock = channel.tryLock(0, Long.MAX_VALUE, false);
        } catch (OverlappingFileLockException e) {
          lock = null; // a job of this JVM holds it
        }
        if (lock != null) {
          return java.util.Optional.of(new WarehouseLock(channel, lock));
        }
        if (System.nanoTime() >= deadline) {
          closeQuietly(channel);
          return java.util.Optional.empty();
        }
        Thread.sleep(100);
      }
    } catch (IOException e) {
      closeQuietly(channel);
      throw new JobException("Cannot lock " + warehouse.resolve(FILE) + ": " + e.getMessage() + ".", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      closeQuietly(channel);
      return java.util.Optional.empty();
    }
  }

  private static FileChannel open(Path warehouse) {
    try {
      Files.createDirectories(warehouse);
      return FileChannel.open(warehouse.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    } catch (IOException e) {
      throw new JobException("Cannot open the lock file " + warehouse.resolve(FILE) + ": " + e.getMessage() + ".", e);
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // nothing held: closing only frees the descriptor
    }
  }

  @Override
  public void close() {
    if (channel != null) {
      try {
        if (lock != null && lock.isValid()) {
          lock.release();
        }
      } catch (IOException e) {
        // closing the channel below releases it as well
      }
      closeQuietly(channel);
    }
  }
}
