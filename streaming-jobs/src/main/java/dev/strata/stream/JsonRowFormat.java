package dev.strata.stream;

import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.EventJson;
import dev.strata.dsl.io.RejectedRecordException;
import dev.strata.dsl.types.Schema;

/**
 * One JSON object per record in Strata's dialect ({@link EventJson}), decoded by the source's
 * {@link EventDecoder}: a Kafka message value or a line of a file.
 */
public final class JsonRowFormat implements RowFormat {
  private static final long serialVersionUID = 1L;

  private final EventDecoder decoder;

  public JsonRowFormat(Schema schema, String timeColumn) {
    this.decoder = EventDecoder.of(schema, timeColumn);
  }

  @Override
  public Object[] parse(String record) throws MalformedRecordException {
    try {
      return decoder.decodeJson(record);
    } catch (RejectedRecordException e) {
      throw new MalformedRecordException(e.getMessage());
    }
  }
}
