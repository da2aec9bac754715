package dev.strata.dsl.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * The files of a file source as they were at one moment: each file's path (relative to the
 * source's path), length and SHA-256. Reading a source through its manifest reads exactly those
 * files, each only up to its recorded length, so events appended since (new lines, new files) are
 * not seen: a training set built from a manifest can be built again, identically, later.
 *
 * <p>Guarantee: {@link #verify} fails, naming the file, unless each listed file still exists and
 * its first {@code length} bytes hash to the recorded SHA-256. Only appends keep a manifest valid.
 */
public record FileManifest(List<Entry> files) {
  /** One file: {@code path} relative to the source's path ("" when the source is the file). */
  public record Entry(String path, long length, String sha256) {
    public Entry {
      Objects.requireNonNull(path, "path");
      Objects.requireNonNull(sha256, "sha256");
    }
  }

  public FileManifest {
    files = List.copyOf(files);
  }

  /** The manifest of a file or folder now (the files {@link EventFiles#files} would read). */
  public static FileManifest capture(Path root) {
    List<Entry> entries = new ArrayList<>();
    for (Path f : EventFiles.files(root)) {
      try {
        long length = Files.size(f);
        entries.add(new Entry(relative(root, f), length, sha256(f, length)));
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read " + f + ": " + e.getMessage(), e);
      }
    }
    return new FileManifest(entries);
  }

  /** The absolute file of an entry under {@code root}. */
  public static Path resolve(Path root, Entry e) {
    return e.path().isEmpty() ? root : root.resolve(e.path());
  }

  /**
   * Checks that the files under {@code root} still begin with what was recorded.
   *
   * @throws IllegalArgumentException "Cannot read ... as of ...: ..." naming the first file that is
   *     gone, shorter, or changed in its recorded bytes
   */
  public void verify(Path root, String what) {
    for (Entry e : files) {
      Path f = resolve(root, e);
      try {
        if (!Files.isRegularFile(f)) {
          throw new IllegalArgumentException("Cannot read " + what + " as recorded: " + f + " is gone");
        }
        if (Files.size(f) < e.length()) {
          throw new IllegalArgumentException("Cannot read " + what + " as recorded: " + f + " is shorter than its recorded "
              + e.length() + " bytes (only appends keep a recorded source readable)");
        }
        if (!sha256(f, e.length()).equals(e.sha256())) {
          throw new IllegalArgumentException("Cannot read " + what + " as recorded: the first " + e.length() + " bytes of " + f
              + " changed (only appends keep a recorded source readable)");
        }
      } catch (IOException ex) {
        throw new IllegalArgumentException("Cannot read " + what + " as recorded: " + f + ": " + ex.getMessage(), ex);
      }
    }
  }

  private static String relative(Path root, Path f) {
    return root.equals(f) ? "" : root.relativize(f).toString().replace('\\', '/');
  }

  /** SHA-256 of the first {@code length} bytes. */
  static String sha256(Path file, long length) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot hash: no SHA-256 in this JVM", e);
    }
    byte[] buf = new byte[1 << 16];
    long left = length;
    try (InputStream in = Files.newInputStream(file)) {
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          break;
        }
        digest.update(buf, 0, n);
        left -= n;
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
