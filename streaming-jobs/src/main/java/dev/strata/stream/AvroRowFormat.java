package dev.strata.stream;

import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import java.io.IOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import org.apache.avro.AvroRuntimeException;
import org.apache.avro.LogicalType;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.SchemaParseException;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;

/**
 * Avro records written with the schema of a {@code .avsc} file, without a schema registry. A
 * message is either the plain binary encoding of one record, or Avro's single-object encoding
 * (magic {@code C3 01}, the schema's 8-byte CRC-64-AVRO fingerprint, then the binary record: the
 * registry-less "embedded schema" form, read with {@link BinaryMessageDecoder}); the two are told
 * apart by the header and the fingerprint of the schema file, so one topic may mix them.
 *
 * <p>Fields map to the source schema's columns by name (a column the Avro schema lacks is NULL;
 * {@code ["null", T]} unions are NULL or T). Timestamps are ISO-8601 strings, longs of
 * microseconds since the epoch (the language's unit), or longs with the {@code timestamp-micros},
 * {@code timestamp-millis}, {@code timestamp-nanos} or {@code local-timestamp-*} logical types
 * (local times are read as UTC, as the batch side reads timestamp_ntz). A field whose Avro type
 * cannot hold its column's type is refused when the job is built, not per record.
 */
public final class AvroRowFormat implements RowFormat {
  private static final long serialVersionUID = 1L;
  private static final byte[] MAGIC = {(byte) 0xC3, 0x01};

  private final String schemaJson;
  private final String[] names;
  private final String[] types;
  private transient Schema schema;
  private transient int[] fieldOf;
  private transient long[] timeScale; // per column: 1 micros, 1000 millis, -1000 nanos, 0 not a long time
  private transient DataType[] dataTypes;
  private transient byte[] fingerprint;
  private transient GenericDatumReader<GenericRecord> reader;
  private transient BinaryMessageDecoder<GenericRecord> messages;
  private transient BinaryDecoder decoder;

  /**
   * @param schemaJson the text of the {@code .avsc} file
   * @param schemaName how to name the schema file in messages
   * @throws IllegalArgumentException (one sentence) for a schema that is not Avro or does not fit the source
   */
  public AvroRowFormat(dev.strata.dsl.types.Schema source, String sourceName, String schemaJson, String schemaName) {
    List<Field> fields = source.fields();
    this.schemaJson = schemaJson;
    this.names = fields.stream().map(Field::name).toArray(String[]::new);
    this.types = fields.stream().map(f -> f.type().sqlName()).toArray(String[]::new);
    // Checked here, where the job is built, so a mismatch is one sentence before anything runs.
    try {
      init();
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("Cannot read source '" + sourceName + "' as Avro with " + schemaName + ": " + e.getMessage());
    }
  }

  private void init() {
    Schema s;
    try {
      s = new Schema.Parser().parse(schemaJson);
    } catch (SchemaParseException e) {
      throw new IllegalArgumentException("not an Avro schema (" + firstLine(e.getMessage()) + ")");
    }
    if (s.getType() != Schema.Type.RECORD) {
      throw new IllegalArgumentException("the schema is a " + s.getType().getName() + ", not a record");
    }
    DataType[] dt = new DataType[types.length];
    for (int i = 0; i < dt.length; i++) {
      dt[i] = DataType.parseOrNull(types[i]);
    }
    int[] of = new int[names.length];
    long[] scale = new long[names.length];
    for (int i = 0; i < names.length; i++) {
      Schema.Field f = s.getField(names[i]);
      of[i] = f == null ? -1 : f.pos();
      if (f != null) {
        scale[i] = check(names[i], dt[i], nonNull(f.schema()));
      }
    }
    this.schema = s;
    this.fieldOf = of;
    this.timeScale = scale;
    this.dataTypes = dt;
    long fp = SchemaNormalization.parsingFingerprint64(s);
    this.fingerprint = new byte[8];
    for (int b = 0; b < 8; b++) {
      fingerprint[b] = (byte) (fp >>> (8 * b)); // little-endian, as the single-object header stores it
    }
    this.reader = new GenericDatumReader<>(s, s, GenericData.get());
    this.messages = new BinaryMessageDecoder<>(GenericData.get(), s);
  }

  /** The Avro type a nullable field holds; other unions are refused. */
  private static Schema nonNull(Schema s) {
    if (s.getType() != Schema.Type.UNION) {
      return s;
    }
    List<Schema> branches = s.getTypes().stream().filter(b -> b.getType() != Schema.Type.NULL).toList();
    if (branches.size() != 1) {
      throw new IllegalArgumentException("a union of " + s.getTypes().size() + " types is not a column (use [\"null\", T])");
    }
    return branches.get(0);
  }

  /** Whether a field of Avro type {@code s} can fill a column of {@code type}; for long timestamps, micros per unit. */
  private static long check(String column, DataType type, Schema s) {
    Schema.Type t = s.getType();
    boolean ok = switch (type.sqlName()) {
      case "bigint" -> t == Schema.Type.INT || t == Schema.Type.LONG;
      case "double" -> t == Schema.Type.FLOAT || t == Schema.Type.DOUBLE || t == Schema.Type.INT || t == Schema.Type.LONG;
      case "boolean" -> t == Schema.Type.BOOLEAN;
      case "string" -> t == Schema.Type.STRING || t == Schema.Type.ENUM;
      case "timestamp" -> t == Schema.Type.STRING || t == Schema.Type.LONG;
      default -> false;
    };
    if (!ok) {
      throw new IllegalArgumentException("field '" + column + "' is Avro " + s.getType().getName()
          + ", which cannot hold the column's type " + type.sqlName());
    }
    if (type != DataType.TIMESTAMP || t != Schema.Type.LONG) {
      return 0;
    }
    LogicalType logical = s.getLogicalType();
    String name = logical == null ? "" : logical.getName();
    if (name.endsWith("timestamp-millis")) {
      return 1000;
    } else if (name.endsWith("timestamp-nanos")) {
      return -1000;
    }
    return 1; // timestamp-micros, local-timestamp-micros, or a plain long of micros
  }

  @Override
  public Object[] parse(String record) throws MalformedRecordException {
    throw new MalformedRecordException("an Avro record is binary, not text");
  }

  @Override
  public Object[] parse(byte[] record) throws MalformedRecordException {
    if (schema == null) {
      init();
    }
    GenericRecord r = decode(record);
    Object[] row = new Object[names.length];
    for (int i = 0; i < row.length; i++) {
      row[i] = fieldOf[i] < 0 ? null : value(i, r.get(fieldOf[i]));
    }
    return row;
  }

  @Override
  public String text(byte[] record) {
    // Dead letters are text: the bytes as Base64, decodable back into the message.
    return "base64:" + Base64.getEncoder().encodeToString(record);
  }

  private GenericRecord decode(byte[] record) throws MalformedRecordException {
    boolean header = record.length >= 10 && record[0] == MAGIC[0] && record[1] == MAGIC[1];
    boolean ours = header && Arrays.equals(record, 2, 10, fingerprint, 0, 8);
    try {
      if (ours) {
        return messages.decode(record);
      }
      decoder = DecoderFactory.get().binaryDecoder(record, decoder);
      GenericRecord r = reader.read(null, decoder);
      if (!decoder.isEnd()) {
        throw new MalformedRecordException("not an Avro record of the schema: bytes left over after the record");
      }
      return r;
    } catch (IOException | AvroRuntimeException | IndexOutOfBoundsException | NegativeArraySizeException e) {
      if (header && !ours) {
        throw new MalformedRecordException("a single-object encoded Avro record of another schema (fingerprint "
            + hex(record, 2, 10) + ", the schema file's is " + hex(fingerprint, 0, 8) + ")");
      }
      String why = e instanceof java.io.EOFException ? "the record ends early" : firstLine(String.valueOf(e.getMessage()));
      throw new MalformedRecordException("not an Avro record of the schema: " + why);
    }
  }

  /** An Avro value as a value of its column: Avro's own types, then {@link TypedValues}' rules. */
  private Object value(int i, Object v) throws MalformedRecordException {
    if (v == null) {
      return null;
    }
    DataType type = dataTypes[i];
    Object plain = v;
    if (type == DataType.TIMESTAMP && v instanceof Long l) {
      long scale = timeScale[i];
      try {
        plain = scale >= 0 ? Math.multiplyExact(l, scale) : Math.floorDiv(l, -scale);
      } catch (ArithmeticException e) {
        throw new MalformedRecordException("column '" + names[i] + "': " + l + " is out of the timestamp range");
      }
    } else if (v instanceof CharSequence || v instanceof GenericData.EnumSymbol) {
      plain = v.toString(); // Utf8 or an enum symbol
    }
    try {
      return TypedValues.fromObject(plain, type);
    } catch (ValueFormatException e) {
      throw new MalformedRecordException("column '" + names[i] + "': " + e.getMessage());
    }
  }

  private static String hex(byte[] b, int from, int to) {
    StringBuilder s = new StringBuilder();
    for (int i = from; i < to; i++) {
      s.append(String.format(Locale.ROOT, "%02x", b[i]));
    }
    return s.toString();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
