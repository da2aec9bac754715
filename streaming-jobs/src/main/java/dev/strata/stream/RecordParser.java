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
      Object[] row = format.parse(record);
      Object t = row[timeIndex];
      if (t == null) {
        return Parsed.malformed(record, "malformed record: no event time (column '" + timeColumn + "' is missing or null)");
      }
      return Parsed.ok(record, row, (Long) t);
    } catch (MalformedRecordException e) {
      return Parsed.malformed(record, "malformed record: " + e.getMessage());
    } catch (RuntimeException e) {
      // A format bug must not stop the job either; the reason names the failure.
      return Parsed.malformed(record, "unreadable record: " + e);
    }
  }
}
