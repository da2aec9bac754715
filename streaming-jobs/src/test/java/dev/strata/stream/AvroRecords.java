package dev.strata.stream;

import dev.strata.dsl.types.Schema;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.EncoderFactory;
import org.apache.avro.message.BinaryMessageEncoder;

/** Test records in Avro: rows of a source schema encoded as plain binary or single-object messages. */
final class AvroRecords {
  /** The flights source as producers would declare it: millisecond event time, a nullable delay. */
  static final String FLIGHTS_AVSC = """
      {"type": "record", "name": "Flight", "namespace": "dev.strata.test", "fields": [
        {"name": "date", "type": {"type": "long", "logicalType": "timestamp-millis"}},
        {"name": "delay", "type": ["null", "int"], "default": null},
        {"name": "distance", "type": ["null", "long"], "default": null},
        {"name": "origin", "type": "string"},
        {"name": "destination", "type": ["null", "string"], "default": null},
        {"name": "carrier", "type": "string", "default": "XX"}
      ]}""";

  private final org.apache.avro.Schema avro;
  private final BinaryMessageEncoder<GenericRecord> messages;

  AvroRecords(String avsc) {
    this.avro = new org.apache.avro.Schema.Parser().parse(avsc);
    this.messages = new BinaryMessageEncoder<>(GenericData.get(), avro);
  }

  org.apache.avro.Schema schema() {
    return avro;
  }

  /** A flights row (schema order date, delay, distance, origin, destination) as an Avro record. */
  GenericRecord flight(Schema source, Object[] row) {
    GenericRecord r = new GenericData.Record(avro);
    for (int i = 0; i < row.length; i++) {
      String name = source.field(i).name();
      Object v = row[i];
      if (name.equals("date")) {
        v = Math.floorDiv((Long) v, 1000L);
      } else if (name.equals("delay") && v != null) {
        v = Math.toIntExact((Long) v);
      }
      r.put(name, v);
    }
    r.put("carrier", "AA");
    return r;
  }

  byte[] binary(GenericRecord r) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      BinaryEncoder e = EncoderFactory.get().binaryEncoder(out, null);
      new GenericDatumWriter<GenericRecord>(avro).write(r, e);
      e.flush();
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  byte[] singleObject(GenericRecord r) {
    try {
      ByteBuffer b = messages.encode(r);
      byte[] out = new byte[b.remaining()];
      b.get(out);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
