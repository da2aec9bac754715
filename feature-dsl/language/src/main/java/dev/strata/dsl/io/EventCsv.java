package dev.strata.dsl.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.Closeable;
import java.io.IOException;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Strata's CSV dialect, for every event file it reads (batch sources, file replay, the oracle,
 * {@code strata drift}) and every CSV file it writes (training sets):
 *
 * <ul>
 *   <li>RFC 4180: UTF-8 text, a header row, fields separated by commas; a field that starts with
 *       a double quote is quoted: it ends at the next lone quote, {@code ""} inside stands for one
 *       quote, and it may hold commas and line breaks. A quote inside an unquoted field is an
 *       ordinary character.
 *   <li>Records end with CRLF, LF or CR; the last may have no line end. A leading UTF-8
 *       byte-order mark is ignored. Blank lines (empty or only whitespace) are skipped.
 *   <li>An unquoted empty field is NULL; a quoted empty field ({@code ""}) is the empty string.
 *       Cells are read by {@link TypedValues}' text rules.
 *   <li>A record is rejected, with its reason, when it has a different number of cells than the
 *       header, when a quoted field is followed by anything but a comma or a line end (the
 *       record's line is rejected and reading goes on at the next line), when a quote is never
 *       closed (the line where the record starts is rejected, reading goes on at the next line),
 *       or when it is longer than {@link #MAX_RECORD_CHARS} characters (likewise).
 * </ul>
 *
 * <p>Parsing is Jackson's CSV module; this class adds the record boundaries, the recovery after a
 * malformed record, and the writer. Written cells are quoted when they are empty, blank, contain
 * a comma, a quote, CR or LF, or start with a byte-order mark; records end with LF. Python's
 * {@code csv} module and pandas read such a file back to the exact cells written.
 */
public final class EventCsv {
  /** The longest record, line end included (1 MiB of characters). */
  public static final int MAX_RECORD_CHARS = 1 << 20;

  private static final CsvFactory FACTORY = CsvFactory.builder()
      .enable(CsvParser.Feature.WRAP_AS_ARRAY)
      .enable(CsvParser.Feature.EMPTY_UNQUOTED_STRING_AS_NULL)
      .disable(com.fasterxml.jackson.core.StreamReadFeature.AUTO_CLOSE_SOURCE)
      .build();

  private EventCsv() {}

  /**
   * One record of a file: its text (as in the file, without its line end) and its cells (null
   * for an unquoted empty field), or the reason it cannot be read.
   */
  public record Record(String text, List<String> cells, String error) {
    /** True when the record was read; false for a malformed one ({@link #error} says why). */
    public boolean isOk() {
      return error == null;
    }
  }

  /** Reads the records of a CSV text (the header is its first record). */
  public static RecordReader reader(java.io.Reader in) {
    return reader(in, true);
  }

  /**
   * Reads the records of a CSV text; {@code atFileStart} false for a part of a file that starts
   * at a record boundary (no byte-order mark to skip; no header either: all its records are data).
   */
  public static RecordReader reader(java.io.Reader in, boolean atFileStart) {
    try {
      return new RecordReader(new CharWindow(in, atFileStart), MAX_RECORD_CHARS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The cells of one record's text, as a {@link RecordReader} gives it.
   *
   * @return the record (its error set when the text is not exactly one record)
   */
  public static Record parseRecord(String text) {
    try (RecordReader r = reader(new StringReader(text), false)) {
      Record first = r.next();
      if (first == null) {
        // Only a record of one NULL cell has no text (in a file it is a blank line: skipped).
        return new Record(text, Collections.singletonList(null), null);
      }
      if (first.isOk() && r.next() != null) {
        return new Record(text, null, "more than one record");
      }
      return first;
    }
  }

  /** The text of one record (no line end), read back by {@link #parseRecord} to {@code cells}. */
  public static String formatRecord(List<String> cells) {
    StringBuilder sb = new StringBuilder();
    appendRecord(sb, cells);
    return sb.toString();
  }

  /** Writes one record and its line end. */
  public static void writeRecord(Writer out, List<String> cells) throws IOException {
    StringBuilder sb = new StringBuilder();
    appendRecord(sb, cells);
    sb.append('\n');
    out.write(sb.toString());
  }

  private static void appendRecord(StringBuilder sb, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) {
        sb.append(',');
      }
      String c = cells.get(i);
      if (c == null) {
        continue;
      }
      if (needsQuotes(c)) {
        sb.append('"').append(c.replace("\"", "\"\"")).append('"');
      } else {
        sb.append(c);
      }
    }
  }

  private static boolean needsQuotes(String c) {
    if (c.isBlank() || c.charAt(0) == '\uFEFF') {
      return true; // unquoted, "" would be NULL and a blank line would be skipped
    }
    for (int i = 0; i < c.length(); i++) {
      char ch = c.charAt(i);
      if (ch == ',' || ch == '"' || ch == '\n' || ch == '\r') {
        return true;
      }
    }
    return false;
  }

  /**
   * Reads records one at a time, in file order; malformed records come back with their reason
   * and reading goes on after them. Not thread-safe.
   */
  public static final class RecordReader implements Closeable {
    private final CharWindow window;
    private final int maxRecord;
    private JsonParser parser;
    /** Where the current parser started. */
    private long parserBase;
    /** The end of the last record returned (the start of the next, blank lines included). */
    private long recordEnd;
    private boolean unclosedQuote;
    private boolean done;
    /** The next record's array has begun (read to find where the last one ended). */
    private boolean arrayStarted;
    /** The next record's failure, met while looking for the end of the last one. */
    private IOException pending;

    RecordReader(CharWindow window, int maxRecord) throws IOException {
      this.window = window;
      this.maxRecord = maxRecord;
      startParser(window.origin());
    }

    private void startParser(long position) throws IOException {
      window.rewind(position);
      window.release(position);
      window.limit(position + maxRecord);
      parserBase = position;
      recordEnd = position;
      arrayStarted = false;
      pending = null;
      done = false;
      parser = FACTORY.createParser(window);
      JsonToken t = parser.nextToken(); // the array around all records
      if (t == null) {
        done = true;
      }
    }

    /** True when some record had a quote that was never closed (the text ended inside it). */
    public boolean sawUnclosedQuote() {
      return unclosedQuote;
    }

    /** The next record, or null at the end. */
    public Record next() {
      try {
        while (!done) {
          Record r = readOne();
          if (r != null) {
            return r;
          }
        }
        return null;
      } catch (IOException e) {
        throw new UncheckedIOException("Cannot read CSV: " + e.getMessage(), e);
      }
    }

    /** One record, or null for a skipped blank line (or the end: then {@code done}). */
    private Record readOne() throws IOException {
      long start = -1;
      try {
        if (pending != null) {
          IOException e = pending;
          pending = null;
          throw e;
        }
        if (!arrayStarted && parser.nextToken() != JsonToken.START_ARRAY) {
          done = true;
          return null;
        }
        arrayStarted = false;
        List<String> cells = new ArrayList<>();
        for (JsonToken t = parser.nextToken(); t != JsonToken.END_ARRAY; t = parser.nextToken()) {
          if (start < 0) {
            start = parserBase + parser.currentTokenLocation().getCharOffset();
          }
          cells.add(t == JsonToken.VALUE_NULL ? null : parser.getText());
        }
        // Followed by a line end, the parser stands on its last character; the last record of
        // the text ends at the end of the text.
        long end = parserBase + parser.currentLocation().getCharOffset() + 1;
        recordEnd = end;
        window.limit(end + maxRecord); // the next record's limit; this one's text is still kept
        try {
          if (parser.nextToken() == JsonToken.START_ARRAY) {
            arrayStarted = true;
          } else {
            done = true;
            end = window.end(); // the parser's location is not exact at the end of the text
            recordEnd = end;
          }
        } catch (IOException e) {
          pending = e; // the next record's, reported when it is read
        }
        String text = withoutLineEnd(start < 0 ? "" : window.text(start, end));
        window.release(recordEnd);
        if (text.isBlank()) {
          return null;
        }
        return new Record(text, Collections.unmodifiableList(cells), null);
      } catch (CharWindow.LimitReachedException e) {
        return recover(recordEnd, "a record is longer than " + maxRecord + " characters (is a quote not closed?)");
      } catch (JsonProcessingException e) {
        String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
        if (message.startsWith("Missing closing quote")) {
          unclosedQuote = true;
          return recover(recordEnd, "a quoted field is not closed (unbalanced quote)");
        }
        long at = e.getLocation() == null ? recordEnd : parserBase + e.getLocation().getCharOffset();
        String reason = message.startsWith("Unexpected character") || message.startsWith("Expected separator")
            ? "a quoted field is followed by text before the next comma (write \"\" for a quote inside a quoted field)"
            : "not CSV (" + firstLine(message) + ")";
        return recover(Math.max(at, recordEnd), reason, recordEnd);
      }
    }

    private Record recover(long lineOf, String reason) throws IOException {
      return recover(lineOf, reason, lineOf);
    }

    /**
     * The record starting at {@code from} is malformed: reject from its first character to the
     * end of the line holding {@code lineOf}, and parse again after that line.
     */
    private Record recover(long lineOf, String reason, long from) throws IOException {
      long first = from;
      for (int c = window.charAt(first); c == '\n' || c == '\r'; c = window.charAt(++first)) {
        // blank lines before the record are not part of it
      }
      long lineEnd = Math.max(first, lineOf);
      StringBuilder shown = new StringBuilder();
      for (int c = window.charAt(lineEnd); c >= 0 && c != '\n' && c != '\r'; c = window.charAt(++lineEnd)) {
        if (lineEnd - first >= maxRecord) {
          if (shown.length() == 0) {
            shown.append(window.text(first, lineEnd)).append("...");
          }
          window.release(lineEnd); // a line longer than a record is not kept whole
        }
      }
      String text = shown.length() > 0 ? shown.toString() : window.text(first, lineEnd);
      long next = lineEnd;
      if (window.charAt(next) == '\r') {
        next++;
      }
      if (window.charAt(next) == '\n') {
        next++;
      }
      startParser(next);
      return new Record(text, null, reason);
    }

    @Override
    public void close() {
      try {
        parser.close();
        window.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  static String withoutLineEnd(String text) {
    int n = text.length();
    if (n > 0 && text.charAt(n - 1) == '\n') {
      n--;
    }
    if (n > 0 && text.charAt(n - 1) == '\r') {
      n--;
    }
    return text.substring(0, n);
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
