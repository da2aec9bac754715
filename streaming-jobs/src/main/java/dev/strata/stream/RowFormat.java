package dev.strata.stream;

import java.io.Serializable;

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
}
