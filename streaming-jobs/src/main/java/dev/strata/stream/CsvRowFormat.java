package dev.strata.stream;

import dev.strata.dsl.io.EventCsv;
import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.RejectedRecordException;
import dev.strata.dsl.types.Schema;
import java.util.List;

/**
 * One record of a CSV file in Strata's dialect ({@link EventCsv}: RFC 4180, a record may span
 * lines), columns found by the file's header, decoded by the source's {@link EventDecoder}.
 */
public final class CsvRowFormat implements RowFormat {
  private static final long serialVersionUID = 1L;

  private final EventDecoder decoder;
  private final EventDecoder.CsvLayout layout;

  /**
   * @param header the cells of the file's header
   * @throws IllegalArgumentException when a column of the schema is missing from the header
   */
  public CsvRowFormat(Schema schema, String timeColumn, List<String> header) {
    this.decoder = EventDecoder.of(schema, timeColumn);
    this.layout = decoder.csvLayout(header);
  }

  @Override
  public Object[] parse(String record) throws MalformedRecordException {
    try {
      return decoder.decodeCsv(layout, record);
    } catch (RejectedRecordException e) {
      throw new MalformedRecordException(e.getMessage());
    }
  }
}
