package dev.strata.dsl.registry;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Checks a SQLite database file before a driver opens it. SQLite takes an empty file for a new
 * database, so a catalog truncated to 0 bytes would silently start a new history (version 1
 * again); a file that does not start with the SQLite header is refused by the driver only on
 * first use. Guarantees: {@link #damage} is empty only for a missing file or one that starts with
 * the 16-byte SQLite header; it never creates or changes the file.
 */
public final class SqliteFiles {
  /** The first 16 bytes of every SQLite 3 database ("SQLite format 3" and a NUL). */
  private static final byte[] HEADER = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

  /**
   * How long an empty file may stay empty before it is called damaged: SQLite creates the file on
   * open and writes its header on the first write, so another process creating the catalog right
   * now is seen with 0 bytes for a moment.
   */
  static final long CREATION_GRACE_MILLIS = 2_000;

  private SqliteFiles() {}

  /**
   * The file of a {@code jdbc:sqlite:} URL, or empty for an in-memory or {@code file:} URI
   * database (left to the driver) and for other URLs.
   */
  public static Optional<Path> fileOf(String jdbcUrl) {
    if (!jdbcUrl.regionMatches(true, 0, "jdbc:sqlite:", 0, "jdbc:sqlite:".length())) {
      return Optional.empty();
    }
    String location = jdbcUrl.substring("jdbc:sqlite:".length());
    int query = location.indexOf('?');
    if (query >= 0) {
      location = location.substring(0, query);
    }
    if (location.isEmpty() || location.startsWith(":") || location.startsWith("file:")) {
      return Optional.empty();
    }
    try {
      return Optional.of(Path.of(location));
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  /**
   * Why {@code file} cannot be opened as an existing SQLite database ("the file is empty ...",
   * "the file is not a SQLite database ..."), or empty when it is missing (a new database will be
   * created), is not a regular file (left to the driver's message) or starts with the SQLite header.
   * An empty file younger than a moment is waited for, in case another process is creating it.
   */
  public static Optional<String> damage(Path file) {
    long deadline = System.currentTimeMillis() + CREATION_GRACE_MILLIS;
    while (true) {
      BasicFileAttributes attributes;
      try {
        attributes = Files.readAttributes(file, BasicFileAttributes.class);
      } catch (IOException e) {
        return Optional.empty(); // missing or unreadable: the driver creates it or says why
      }
      if (!attributes.isRegularFile()) {
        return Optional.empty();
      }
      if (attributes.size() > 0) {
        return headerDamage(file);
      }
      long age = System.currentTimeMillis() - attributes.lastModifiedTime().toMillis();
      if (age >= CREATION_GRACE_MILLIS || System.currentTimeMillis() >= deadline) {
        return Optional.of("the file is empty (0 bytes), not a SQLite database; it is not taken for a new catalog,"
            + " so that no history is lost: restore it from a backup, or delete it to start a new catalog");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return Optional.empty();
      }
    }
  }

  private static Optional<String> headerDamage(Path file) {
    byte[] head;
    try (InputStream in = Files.newInputStream(file)) {
      head = in.readNBytes(HEADER.length);
    } catch (IOException e) {
      return Optional.empty(); // unreadable: the driver says why
    }
    if (Arrays.equals(head, HEADER)) {
      return Optional.empty();
    }
    return Optional.of("the file is not a SQLite database (it starts with "
        + (head.length == 0 ? "nothing" : "bytes " + HexFormat.of().formatHex(head, 0, Math.min(head.length, 8)))
        + " instead of the SQLite header): restore it from a backup, or move it away to start a new catalog");
  }
}
