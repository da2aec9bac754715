package dev.strata.monitoring.io;

import dev.strata.dsl.io.EventCsv;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * A columnar reader for the CSV files most data tools write: every record on one line, quoted
 * fields closed on their line and followed by a comma or the line end. It reads the text in
 * blocks and, per batch of rows, notes where each cell starts and ends, then hands each column
 * its cells together; cells are never Strings unless they are new text values or numbers with a
 * fraction. Where a file leaves that subset ({@code "} inside an unquoted field, a quoted field
 * running over a line end or followed by other text, a record of the wrong width or longer than
 * {@link EventCsv#MAX_RECORD_CHARS}, no header) it gives up, and the caller reads the file with
 * {@link EventCsv}, the dialect's definition, which also words the error. On the files it reads
 * it yields what {@link EventCsv} yields (a test compares the two on generated files).
 */
final class PlainCsv {
  /** Thrown to leave for the general reader; no stack trace is made. */
  static final class GiveUp extends Exception {
    private static final long serialVersionUID = 1L;

    GiveUp() {
      super(null, null, false, false);
    }
  }

  private static final GiveUp GIVE_UP = new GiveUp();

  private static final int BATCH = 4096;

  private final Reader in;
  private final long fileChars;
  private final Set<String> textColumns;
  private final Set<String> only;
  private char[] buf = new char[1 << 16];
  private int pos;
  private int limit;
  private boolean eof;
  private boolean atStart = true;

  private List<String> names;
  private Column.Builder[] builders;
  /** Per kept column, per row of the batch: where the cell starts (−1: null) and ends. */
  private int[][] starts;
  private int[][] ends;
  /** Per kept column, per row: the value when it is not a plain range (a quoted field with ""). */
  private String[][] unescaped;
  private int batchRows;
  private int rows;
  private long charsRead;

  /**
   * @param fileChars the file's size, for an estimate of its rows (column arrays are sized once)
   */
  PlainCsv(Reader in, long fileChars, Set<String> textColumns, Set<String> only) {
    this.in = in;
    this.fileChars = fileChars;
    this.textColumns = textColumns;
    this.only = only;
  }

  List<String> names() {
    return names;
  }

  Column.Builder[] builders() {
    return builders;
  }

  int rows() {
    return rows;
  }

  /** Reads the whole text; {@link GiveUp} when it is not of the plain kind. */
  void read() throws IOException, GiveUp {
    while (true) {
      int lineEnd = findLineEnd();
      if (lineEnd < 0) {
        break;
      }
      int start = pos;
      if (atStart) {
        atStart = false;
        if (start < lineEnd && buf[start] == '\uFEFF') {
          start++; // a byte-order mark at the start of the file is not text
        }
      }
      if (!blank(start, lineEnd)) {
        if (names == null) {
          header(start, lineEnd);
        } else {
          record(start, lineEnd);
        }
      }
      charsRead += lineEnd - pos;
      pos = lineEnd;
      if (pos < limit && buf[pos] == '\r') {
        pos++;
        charsRead++;
      }
      if (pos < limit && buf[pos] == '\n') {
        pos++;
        charsRead++;
      }
    }
    if (names == null) {
      throw GIVE_UP; // no header: the general reader says so
    }
    flush();
  }

  /**
   * The end of the line at {@code pos} (its CR or LF, or the end of the text), reading more
   * text as needed; −1 at the end of the text. A CR at the end of the buffer waits for the next
   * block, which may start with its LF.
   */
  private int findLineEnd() throws IOException, GiveUp {
    int e = pos;
    while (true) {
      while (e < limit && buf[e] != '\n' && buf[e] != '\r') {
        e++;
      }
      if (e < limit && !(buf[e] == '\r' && e + 1 == limit && !eof)) {
        return e;
      }
      if (e == limit && eof) {
        return pos == limit ? -1 : e;
      }
      int scanned = e - pos;
      fill();
      e = pos + scanned;
    }
  }

  /** Moves the unread text to the front (the batch's cells first: they point into the buffer) and reads more. */
  private void fill() throws IOException, GiveUp {
    flush();
    int keep = limit - pos;
    if (keep > EventCsv.MAX_RECORD_CHARS + 2) {
      throw GIVE_UP;
    }
    if (keep == buf.length) {
      buf = Arrays.copyOf(buf, buf.length * 2);
    }
    System.arraycopy(buf, pos, buf, 0, keep);
    pos = 0;
    limit = keep;
    int n = in.read(buf, limit, buf.length - limit);
    if (n < 0) {
      eof = true;
    } else {
      limit += n;
    }
  }

  private boolean blank(int from, int to) {
    for (int i = from; i < to; i++) {
      char c = buf[i];
      // String.isBlank: whitespace code points; a surrogate is never whitespace
      if (!Character.isWhitespace(c) || Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }

  private void header(int from, int to) throws GiveUp {
    List<String> cells = new ArrayList<>();
    int i = from;
    while (true) {
      String cell;
      int next;
      if (i < to && buf[i] == '"') {
        int close = closingQuote(i + 1, to);
        cell = unescape(i + 1, close);
        next = close + 1;
      } else {
        next = unquotedEnd(i, to);
        cell = next == i ? "" : new String(buf, i, next - i); // an empty name is ""
      }
      if (cells.contains(cell)) {
        throw GIVE_UP; // the general reader words it
      }
      cells.add(cell);
      if (next == to) {
        break;
      }
      i = next + 1; // past the comma
    }
    names = cells;
    int n = names.size();
    builders = new Column.Builder[n];
    starts = new int[n][];
    ends = new int[n][];
    unescaped = new String[n][];
    for (int c = 0; c < n; c++) {
      if (only == null || only.contains(names.get(c))) {
        builders[c] = new Column.Builder(textColumns.contains(names.get(c)));
        starts[c] = new int[BATCH];
        ends[c] = new int[BATCH];
        unescaped[c] = new String[BATCH];
      }
    }
  }

  private void record(int from, int to) throws GiveUp {
    int r = batchRows;
    int col = 0;
    int i = from;
    int width = names.size();
    while (true) {
      if (col == width) {
        throw GIVE_UP; // more cells than the header: the general reader words it
      }
      int next;
      if (i < to && buf[i] == '"') {
        int close = closingQuote(i + 1, to);
        next = close + 1;
        if (starts[col] != null) {
          boolean escapes = false;
          for (int k = i + 1; k < close; k++) {
            escapes |= buf[k] == '"';
          }
          starts[col][r] = i + 1;
          ends[col][r] = close;
          // a quoted empty field is the empty string, not null: only "" pairs need a String
          unescaped[col][r] = escapes ? unescape(i + 1, close) : null;
        }
      } else {
        next = unquotedEnd(i, to);
        if (starts[col] != null) {
          starts[col][r] = next == i ? -1 : i; // an unquoted empty field is null
          ends[col][r] = next;
          unescaped[col][r] = null;
        }
      }
      col++;
      if (next == to) {
        break;
      }
      i = next + 1;
    }
    if (col != width) {
      throw GIVE_UP;
    }
    if (++batchRows == BATCH) {
      flush();
    }
  }

  /** The closing quote of a quoted field whose text starts at {@code i}; it must end the field. */
  private int closingQuote(int i, int to) throws GiveUp {
    while (i < to) {
      if (buf[i] == '"') {
        if (i + 1 < to && buf[i + 1] == '"') {
          i += 2;
          continue;
        }
        if (i + 1 < to && buf[i + 1] != ',') {
          throw GIVE_UP; // text after the closing quote
        }
        return i;
      }
      i++;
    }
    throw GIVE_UP; // the field goes on past the line end
  }

  /** The end of an unquoted field (its comma or the line end); a quote inside it is left to the general reader. */
  private int unquotedEnd(int i, int to) throws GiveUp {
    while (i < to && buf[i] != ',') {
      if (buf[i] == '"') {
        throw GIVE_UP;
      }
      i++;
    }
    return i;
  }

  private String unescape(int from, int to) {
    StringBuilder sb = new StringBuilder(to - from);
    for (int i = from; i < to; i++) {
      sb.append(buf[i]);
      if (buf[i] == '"') {
        i++; // the second quote of a pair
      }
    }
    return sb.toString();
  }

  /** Hands the batch's cells to the column builders, a column at a time. */
  private void flush() {
    if (batchRows == 0) {
      return;
    }
    if (rows == 0 && charsRead > 0) {
      // size the columns once for the whole file, from the first batch's characters per row
      long estimate = (long) (fileChars / ((double) charsRead / batchRows) * 1.05) + 16;
      int capacity = (int) Math.min(estimate, Integer.MAX_VALUE - 16);
      for (Column.Builder b : builders) {
        if (b != null) {
          b.ensureCapacity(capacity);
        }
      }
    }
    for (int c = 0; c < builders.length; c++) {
      Column.Builder b = builders[c];
      if (b == null) {
        continue;
      }
      int[] s = starts[c];
      int[] e = ends[c];
      String[] u = unescaped[c];
      for (int r = 0; r < batchRows; r++) {
        if (u[r] != null) {
          b.add(u[r]);
          u[r] = null;
        } else if (s[r] < 0) {
          b.addNull();
        } else {
          b.add(buf, s[r], e[r]);
        }
      }
    }
    rows += batchRows;
    batchRows = 0;
  }
}
