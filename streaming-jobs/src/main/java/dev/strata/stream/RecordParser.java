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
      return parsed(record, format.parse(record));
    } catch (MalformedRecordException e) {
      return Parsed.malformed(record, "malformed record: " + e.getMessage());
    } catch (RuntimeException e) {
      // A format bug must not stop the job either; the reason names the failure.
      return Parsed.malformed(record, "unreadable record: " + e);
    }
  }

  /** Parses a binary record (a Kafka message value); dead letters carry it as the format's text. */
  Parsed parse(byte[] record) {
    try {
      return parsed(format.text(record), format.parse(record));
    } catch (MalformedRecordException e) {
      return Parsed.malformed(format.text(record), "malformed record: " + e.getMessage());
    } catch (RuntimeException e) {
      return Parsed.malformed(format.text(record), "unreadable record: " + e);
    }
  }

  private Parsed parsed(String record, Object[] row) {
    Object t = row[timeIndex];
    if (t == null) {
      return Parsed.malformed(record, "malformed record: no event time (column '" + timeColumn + "' is missing or null)");
    }
    return Parsed.ok(record, row, (Long) t);
  }
}
