package dev.strata.dsl.io;

import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;

/**
 * Event files (CSV in {@link EventCsv}'s dialect, JSON in {@link EventJson}'s) read record by
 * record and decoded by an {@link EventDecoder}: the one reader of the batch sources, the file
 * replay and the oracle. A file may be gzip-compressed ({@code .gz}). A file that is not UTF-8
 * text, a CSV file without a header, or a header without a schema column is an error for the
 * whole file; any other bad record is a reject with its reason.
 *
 * <p>Large plain files can be read in ranges ({@link #ranges}, {@link #open(Path, Format,
 * EventDecoder, Range)}), e.g. one per Spark task; the records of the ranges of a file are
 * exactly the records of the file, in order (see {@link Range}).
 */
public final class EventFiles {
  private EventFiles() {}

  /** The text formats of event files. */
  public enum Format {
    CSV,
    JSON;

    /**
     * The format named {@code format} (any case), else the format of the file name ({@code .csv},
     * {@code .json}, {@code .jsonl}, {@code .ndjson}, each optionally {@code .gz}).
     *
     * @return the format, or null when the name is neither
     */
    public static Format of(String format, String fileName) {
      if (format != null) {
        return switch (format.toLowerCase(Locale.ROOT)) {
          case "csv" -> CSV;
          case "json", "jsonl", "ndjson" -> JSON;
          default -> null;
        };
      }
      String n = fileName.toLowerCase(Locale.ROOT);
      if (n.endsWith(".gz")) {
        n = n.substring(0, n.length() - 3);
      }
      if (n.endsWith(".csv")) {
        return CSV;
      }
      if (n.endsWith(".json") || n.endsWith(".jsonl") || n.endsWith(".ndjson")) {
        return JSON;
      }
      return null;
    }
  }

  /**
   * One record as read: its text (for a reject or a dead letter) and its row, or the reason it
   * was rejected.
   */
  public record Decoded(String text, Object[] row, String reason) {
    public boolean isOk() {
      return reason == null;
    }
  }

  /**
   * The files of a path: the file itself, or the files below a folder (recursively, in name
   * order) whose names do not start with {@code .} or {@code _} (Spark's and Hadoop's marker files).
   */
  public static List<Path> files(Path path) {
    if (!Files.isDirectory(path)) {
      return List.of(path);
    }
    try (Stream<Path> s = Files.walk(path)) {
      return s.filter(Files::isRegularFile)
          .filter(p -> visible(path.relativize(p)))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list " + path + ": " + e.getMessage(), e);
    }
  }

  private static boolean visible(Path relative) {
    for (Path part : relative) {
      String n = part.toString();
      if (n.startsWith(".") || n.startsWith("_")) {
        return false;
      }
    }
    return true;
  }

  /**
   * The header of a CSV file.
   *
   * @throws IllegalArgumentException (one sentence) when the file is empty, its header malformed
   *     or the file is not UTF-8
   */
  public static List<String> csvHeader(Path file) {
    try (InputStream in = input(file, 0, -1); EventCsv.RecordReader r = EventCsv.reader(utf8(in))) {
      EventCsv.Record header = r.next();
      if (header == null) {
        throw new IllegalArgumentException("Cannot read " + file + ": the file is empty (a CSV file needs a header row)");
      }
      if (!header.isOk()) {
        throw new IllegalArgumentException("Cannot read " + file + ": its header row is malformed (" + header.error() + ")");
      }
      List<String> names = new ArrayList<>(header.cells().size());
      for (String c : header.cells()) {
        names.add(c == null ? "" : c);
      }
      return names;
    } catch (UncheckedIOException e) {
      throw unreadable(file, e.getCause());
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  /**
   * A byte range of a file that starts at a record boundary; {@code last} when it runs to the
   * end of the file. Reading the ranges of a file one after another gives exactly the records of
   * the whole file, provided every range but the last reads {@link Reader#clean() clean}: the
   * boundaries are guessed from the bytes (after a line feed, outside quotes by counting them), and
   * a range that ends inside a quoted field says so, so that the file is read again whole.
   */
  public record Range(long start, long end, boolean last) implements java.io.Serializable {}

  /**
   * Ranges of about {@code target} bytes that together cover the file; one range for a gzip file,
   * a JSON array file or a file no larger than {@code target}.
   */
  public static List<Range> ranges(Path file, Format format, long target) {
    try {
      long size = Files.size(file);
      if (size <= target || file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")
          || (format == Format.JSON && startsWithArray(file))) {
        return List.of(new Range(0, size, true));
      }
      List<Range> out = new ArrayList<>();
      long start = 0;
      long next = target;
      long quotes = 0;
      long position = 0;
      ByteBuffer buf = ByteBuffer.allocate(1 << 20);
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
        while (ch.read(buf) > 0) {
          buf.flip();
          while (buf.hasRemaining()) {
            byte b = buf.get();
            position++;
            if (b == '"') {
              quotes++;
            } else if (b == '\n' && position >= next && (format == Format.JSON || (quotes & 1) == 0) && position < size) {
              out.add(new Range(start, position, false));
              start = position;
              next = position + target;
            }
          }
          buf.clear();
        }
      }
      out.add(new Range(start, size, true));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  private static boolean startsWithArray(Path file) throws IOException {
    try (var in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      int c;
      do {
        c = in.read();
      } while (c == '\uFEFF' || (c >= 0 && Character.isWhitespace(c)));
      return c == '[';
    } catch (CharacterCodingException e) {
      return false;
    }
  }

  /** Opens a whole file. */
  public static Reader open(Path file, Format format, EventDecoder decoder) {
    return open(file, format, decoder, null);
  }

  /**
   * Opens a range of a file (null: the whole file). The layout of a CSV file's columns comes from
   * its header, read here when the range is not the file's start.
   *
   * @throws IllegalArgumentException (one sentence) for a file that cannot be read as events
   */
  public static Reader open(Path file, Format format, EventDecoder decoder, Range range) {
    Range r = range == null ? new Range(0, -1, true) : range;
    EventDecoder.CsvLayout layout = null;
    if (format == Format.CSV) {
      try {
        layout = decoder.csvLayout(csvHeader(file));
      } catch (IllegalArgumentException e) {
        throw e.getMessage().startsWith("Cannot ") ? e : new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage());
      }
    }
    try {
      InputStream in = input(file, r.start(), r.end());
      return new Reader(file, format, decoder, layout, in, r);
    } catch (IOException e) {
      throw unreadable(file, e);
    }
  }

  private static InputStream input(Path file, long start, long end) throws IOException {
    if (file.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".gz")) {
      return new GZIPInputStream(Files.newInputStream(file), 64 * 1024);
    }
    FileChannel ch = FileChannel.open(file, StandardOpenOption.READ);
    ch.position(start);
    InputStream in = Channels.newInputStream(ch);
    if (end >= 0) {
      in = new Bounded(in, end - start);
    }
    return new BufferedInputStream(in, 64 * 1024);
  }

  private static java.io.Reader utf8(InputStream in) {
    return new InputStreamReader(in, StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT));
  }

  private static IllegalArgumentException unreadable(Path file, Throwable e) {
    if (e instanceof CharacterCodingException) {
      return new IllegalArgumentException("Cannot read " + file + ": it is not UTF-8 text");
    }
    return new IllegalArgumentException("Cannot read " + file + ": " + (e == null ? "unreadable" : e.getMessage()));
  }

  /** The decoded records of a file or range, in file order. Not thread-safe. */
  public static final class Reader implements Closeable {
    private final Path file;
    private final EventDecoder decoder;
    private final EventDecoder.CsvLayout layout;
    private final Range range;
    private final EventCsv.RecordReader csv;
    private final EventJson.RecordReader json;

    private Reader(Path file, Format format, EventDecoder decoder, EventDecoder.CsvLayout layout, InputStream in,
        Range range) throws IOException {
      this.file = file;
      this.decoder = decoder;
      this.layout = layout;
      this.range = range;
      try {
        if (format == Format.CSV) {
          csv = EventCsv.reader(utf8(in), range.start() == 0);
          json = null;
          if (range.start() == 0) {
            csv.next(); // the header
          }
        } else {
          json = EventJson.reader(utf8(in), range.start() == 0);
          csv = null;
        }
      } catch (UncheckedIOException e) {
        in.close();
        throw e.getCause();
      }
    }

    /**
     * The next record, or null at the end.
     *
     * @throws IllegalArgumentException (one sentence) when the file cannot be read further
     */
    public Decoded next() {
      try {
        if (csv != null) {
          EventCsv.Record r = csv.next();
          if (r == null) {
            return null;
          }
          try {
            return new Decoded(r.text(), decoder.decodeCsv(layout, r), null);
          } catch (RejectedRecordException e) {
            return new Decoded(r.text(), null, e.getMessage());
          }
        }
        String text = json.next();
        if (text == null) {
          return null;
        }
        try {
          return new Decoded(text, decoder.decodeJson(text), null);
        } catch (RejectedRecordException e) {
          return new Decoded(text, null, e.getMessage());
        }
      } catch (UncheckedIOException e) {
        throw unreadable(file, e.getCause());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("Cannot read " + file + ": " + e.getMessage(), e);
      }
    }

    /**
     * False when this range is not the end of its file and a quote was still open at its end:
     * then its boundaries were not record boundaries, and the file must be read whole.
     */
    public boolean clean() {
      return range.last() || csv == null || !csv.sawUnclosedQuote();
    }

    @Override
    public void close() {
      if (csv != null) {
        csv.close();
      } else {
        json.close();
      }
    }
  }

  /** At most {@code remaining} bytes of a stream. */
  private static final class Bounded extends java.io.FilterInputStream {
    private long remaining;

    Bounded(InputStream in, long remaining) {
      super(in);
      this.remaining = remaining;
    }

    @Override
    public int read() throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int b = super.read();
      if (b >= 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (remaining <= 0) {
        return -1;
      }
      int n = super.read(b, off, (int) Math.min(len, remaining));
      if (n > 0) {
        remaining -= n;
      }
      return n;
    }
  }
}
