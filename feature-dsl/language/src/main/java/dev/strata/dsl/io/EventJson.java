package dev.strata.dsl.io;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * Strata's JSON dialect for events, for every JSON event file (batch sources, file replay, the
 * oracle) and every JSON message (Kafka payloads):
 *
 * <ul>
 *   <li>A file is JSON lines (one object per line; blank lines skipped) or, when its first
 *       character that is not whitespace is {@code [}, one array of objects. UTF-8; a leading
 *       byte-order mark is ignored.
 *   <li>A record is one JSON object, nothing before or after it on its line, no member twice.
 *       Members are the columns: a column's member is found by its exact name, else by its name
 *       ignoring case; a missing member or {@code null} is NULL; other members are ignored.
 *   <li>Values are read by {@link TypedValues}' JSON rules.
 * </ul>
 */
public final class EventJson {
  static final JsonMapper MAPPER = JsonMapper.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  /** For the elements of an array file: the rest of the array trails each. */
  private static final com.fasterxml.jackson.databind.ObjectReader ELEMENT =
      MAPPER.reader().without(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private EventJson() {}

  /**
   * The object of one record.
   *
   * @throws RejectedRecordException when the text is not one JSON object
   */
  public static ObjectNode parseRecord(String text) throws RejectedRecordException {
    String t = !text.isEmpty() && text.charAt(0) == '\uFEFF' ? text.substring(1) : text;
    JsonNode node;
    try {
      node = MAPPER.readTree(t);
    } catch (JsonProcessingException e) {
      throw new RejectedRecordException("not JSON: " + firstLine(e.getOriginalMessage()));
    }
    if (node == null || node.isMissingNode()) {
      throw new RejectedRecordException("not JSON: the record is empty");
    }
    if (!node.isObject()) {
      throw new RejectedRecordException("expected a JSON object, got " + kind(node));
    }
    return (ObjectNode) node;
  }

  static String kind(JsonNode node) {
    return switch (node.getNodeType()) {
      case ARRAY -> "an array";
      case STRING -> "a string";
      case NUMBER -> "a number";
      case BOOLEAN -> "a boolean";
      case NULL -> "null";
      default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
    };
  }

  /** Reads the records of a JSON file (JSON lines or one array of objects), as text. */
  public static RecordReader reader(java.io.Reader in) {
    return reader(in, true);
  }

  /**
   * Reads the records of a JSON text; {@code atFileStart} false for a part of a JSON-lines file
   * that starts at a line (only a whole file can be one array).
   */
  public static RecordReader reader(java.io.Reader in, boolean atFileStart) {
    try {
      return new RecordReader(in instanceof BufferedReader b ? b : new BufferedReader(in, 64 * 1024), atFileStart);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The records of a JSON file, one at a time, as text. */
  public static final class RecordReader implements Closeable {
    private final BufferedReader in;
    private final JsonParser array;
    private boolean first;

    RecordReader(BufferedReader in, boolean atFileStart) throws IOException {
      this.in = in;
      this.first = atFileStart;
      if (!atFileStart) {
        array = null;
        return;
      }
      in.mark(1 << 16);
      int c = in.read();
      while (c == '\uFEFF' || (c >= 0 && Character.isWhitespace(c))) {
        c = in.read();
      }
      in.reset();
      if (c == '[') {
        array = MAPPER.createParser(in);
        nextToken(); // [
      } else {
        array = null;
      }
    }

    /**
     * The next record's text, or null at the end.
     *
     * @throws IllegalArgumentException when an array file is not a JSON array (one sentence)
     */
    public String next() {
      try {
        if (array == null) {
          for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (first && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
              line = line.substring(1);
            }
            first = false;
            if (!line.isBlank()) {
              return line;
            }
          }
          return null;
        }
        JsonToken t = nextToken();
        if (t == JsonToken.END_ARRAY || t == null) {
          if (t != null && nextToken() != null) {
            throw new IllegalArgumentException("not a JSON array of objects: text after the closing ]");
          }
          return null;
        }
        JsonNode node = ELEMENT.readTree(array);
        return MAPPER.writeValueAsString(node);
      } catch (JsonProcessingException e) {
        throw new IllegalArgumentException("not a JSON array of objects: " + firstLine(e.getOriginalMessage())
            + " (line " + (e.getLocation() == null ? "?" : e.getLocation().getLineNr()) + ")");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }

    private JsonToken nextToken() throws IOException {
      return array.nextToken();
    }

    @Override
    public void close() {
      try {
        if (array != null) {
          array.close();
        }
        in.close();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "unreadable";
    }
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
