package dev.strata.dsl.io;

import java.io.IOException;
import java.io.Reader;

/**
 * A reader over a source that keeps what it has read since a release point, so a CSV record's
 * text can be cut out of the file and the parser restarted after a malformed record. Positions
 * are absolute character offsets from the start of the source (after a byte-order mark).
 *
 * <p>The parser is never given a character at or beyond {@code limit}: a record cannot make it
 * read (and this window hold) more than the record limit.
 */
final class CharWindow extends Reader {
  /** Thrown to the parser when a record would pass the limit. */
  static final class LimitReachedException extends IOException {
    private static final long serialVersionUID = 1L;

    LimitReachedException() {
      super("record limit reached");
    }
  }

  private final Reader source;
  private char[] buf = new char[16 * 1024];
  private long bufStart;
  private int size;
  private long served;
  private long released;
  private long limit = Long.MAX_VALUE;
  private boolean sourceDone;
  private final long origin;

  /** {@code atFileStart}: the source is a whole file, whose byte-order mark is skipped. */
  CharWindow(Reader source, boolean atFileStart) throws IOException {
    this.source = source;
    if (atFileStart && charAt(0) == '\uFEFF') {
      // A byte-order mark is not part of the first header name.
      bufStart = 1;
      size--;
      System.arraycopy(buf, 1, buf, 0, size);
      served = 1;
      released = 1;
    }
    origin = bufStart;
  }

  /** The position of the first character: 1 after a byte-order mark, else 0. */
  long origin() {
    return origin;
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    if (served >= limit) {
      if (charAt(served) < 0) {
        return -1;
      }
      throw new LimitReachedException();
    }
    if (served >= bufStart + size && !fill()) {
      return -1;
    }
    int n = (int) Math.min(len, Math.min(bufStart + size - served, limit - served));
    System.arraycopy(buf, (int) (served - bufStart), cbuf, off, n);
    served += n;
    return n;
  }

  /** The next read gives the character at {@code position} (at or after the release point). */
  void rewind(long position) {
    served = position;
  }

  /** Characters before {@code position} are no longer needed. */
  void release(long position) {
    released = Math.max(released, position);
  }

  /** The parser gets no character at or beyond {@code position}. */
  void limit(long position) {
    limit = position;
  }

  /** The character at {@code position}, or -1 after the end of the source. */
  int charAt(long position) throws IOException {
    while (position >= bufStart + size) {
      if (!fill()) {
        return -1;
      }
    }
    return buf[(int) (position - bufStart)];
  }

  /** The position after the last character of the source. */
  long end() throws IOException {
    while (fill()) {
      // read to the end
    }
    return bufStart + size;
  }

  /** The text between two positions (both read already). */
  String text(long from, long to) {
    return new String(buf, (int) (from - bufStart), (int) (to - from));
  }

  /** Reads more of the source into the window; false at its end. */
  private boolean fill() throws IOException {
    if (sourceDone) {
      return false;
    }
    if (size == buf.length) {
      int drop = (int) (released - bufStart);
      if (drop >= buf.length / 2) {
        System.arraycopy(buf, drop, buf, 0, size - drop);
        size -= drop;
        bufStart += drop;
      } else {
        char[] bigger = new char[buf.length * 2];
        System.arraycopy(buf, 0, bigger, 0, size);
        buf = bigger;
      }
    }
    int n = source.read(buf, size, buf.length - size);
    if (n < 0) {
      sourceDone = true;
      return false;
    }
    size += n;
    return true;
  }

  @Override
  public void close() throws IOException {
    source.close();
  }
}
