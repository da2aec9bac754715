package dev.strata.stream;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/** Kafka message values parsed as they are read (text formats as UTF-8, Avro as bytes); a null value (a tombstone) is malformed. */
final class KafkaRecords implements KafkaRecordDeserializationSchema<Parsed> {
  private static final long serialVersionUID = 1L;

  private final RecordParser parser;

  KafkaRecords(RecordParser parser) {
    this.parser = parser;
  }

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Parsed> out) {
    byte[] value = record.value();
    // Dead letters point at the record and carry its bytes unchanged.
    Origin origin = new Origin(record.topic(), record.partition(), record.offset(), value);
    out.collect(value == null
        ? Parsed.malformed("", "malformed record: empty message (null value) at offset " + record.offset()).at(origin)
        : parser.parse(value, origin));
  }

  @Override
  public TypeInformation<Parsed> getProducedType() {
    return TypeInformation.of(Parsed.class);
  }
}
