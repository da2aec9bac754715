package dev.strata.stream;

import java.io.Serializable;

/** A {@link RowFormat} plus the event-time column: records → {@link Parsed}, never throwing. */
final class RecordParser implements Serializable {
  private static final long serialVersionUID = 1L;

  private final RowFormat format;
  private final int timeIndex;
  private final String timeColumn;

  RecordParser(RowFormat format, int timeIndex, String timeColumn) {
    this.format = format;
    this.timeIndex = timeIndex;
    this.timeColumn = timeColumn;
  }

  Parsed parse(String record) {
    try {
      return parsed(record, format.parse(record), null);
    } catch (MalformedRecordException e) {
      return Parsed.malformed(record, "malformed record: " + e.getMessage());
    } catch (RuntimeException e) {
      // A format bug must not stop the job either; the reason names the failure.
      return Parsed.malformed(record, "unreadable record: " + e);
    }
  }

  /**
   * Parses a binary record (a Kafka message value) read at {@code origin} (may be null); dead
   * letters carry it as the format's text, and the origin.
   */
  Parsed parse(byte[] record, Origin origin) {
    try {
      return parsed(format.text(record), format.parse(record), origin);
    } catch (MalformedRecordException e) {
      return new Parsed(format.text(record), null, Long.MIN_VALUE, "malformed record: " + e.getMessage(), origin);
    } catch (RuntimeException e) {
      return new Parsed(format.text(record), null, Long.MIN_VALUE, "unreadable record: " + e, origin);
    }
  }

  private Parsed parsed(String record, Object[] row, Origin origin) {
    Object t = row[timeIndex];
    if (t == null) {
      // The words of EventDecoder's reject: the same record gets the same reason everywhere.
      return new Parsed(record, null, Long.MIN_VALUE, "malformed record: column '" + timeColumn
          + "': no event time (missing or empty)", origin);
    }
    return new Parsed(record, row, (Long) t, null, origin);
  }
}
