package dev.strata.stream;

import java.io.Serializable;
import java.nio.charset.StandardCharsets;

/**
 * How one record of a stream (a Kafka message value, a line of a file) becomes a row of the
 * source schema: values in schema order, TIMESTAMP as Long microseconds.
 */
public interface RowFormat extends Serializable {

  /**
   * Parses one record.
   *
   * @throws MalformedRecordException with the reason, for anything that is not a row of the schema
   */
  Object[] parse(String record) throws MalformedRecordException;

  /** Parses one binary record (a Kafka message value); text formats read it as UTF-8. */
  default Object[] parse(byte[] record) throws MalformedRecordException {
    return parse(new String(record, StandardCharsets.UTF_8));
  }

  /** The record as dead-letter text. */
  default String text(byte[] record) {
    return new String(record, StandardCharsets.UTF_8);
  }
}
