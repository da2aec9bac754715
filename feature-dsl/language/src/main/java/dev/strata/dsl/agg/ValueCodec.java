package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * Binary encoding, total order and equality key of the values of one primitive type.
 *
 * <p>The total order is what makes ties deterministic: bigint and timestamp by value, double by
 * {@link Double#compare} (-0.0 before 0.0, NaN above +Infinity, as Spark orders them), string by
 * Unicode code point (the order of their UTF-8 bytes, as Spark and Iceberg compare strings),
 * false before true.
 */
enum ValueCodec implements Comparator<Object> {
  BOOLEAN(Boolean.class) {
    @Override
    public int compare(Object a, Object b) {
      return Boolean.compare((Boolean) a, (Boolean) b);
    }

    @Override
    void write(DataOutput out, Object value) throws IOException {
      out.writeByte((Boolean) value ? 1 : 0);
    }

    @Override
    Object read(DataInput in) throws IOException {
      int b = in.readUnsignedByte();
      if (b > 1) {
        throw new IOException("invalid boolean byte " + b);
      }
      return b == 1;
    }
  },

  LONG(Long.class) {
    @Override
    public int compare(Object a, Object b) {
      return Long.compare((Long) a, (Long) b);
    }

    @Override
    void write(DataOutput out, Object value) throws IOException {
      Varints.writeSignedLong(out, (Long) value);
    }

    @Override
    Object read(DataInput in) throws IOException {
      return Varints.readSignedLong(in);
    }

    @Override
    boolean unboxed() {
      return true;
    }

    @Override
    long readRaw(ByteCursor in) throws IOException {
      return Varints.readSignedLong(in);
    }

    @Override
    int compareRaw(long a, long b) {
      return Long.compare(a, b);
    }

    @Override
    long toRaw(Object value) {
      return (Long) value;
    }

    @Override
    Object fromRaw(long raw) {
      return raw;
    }

    // Sorted longs (ids, timestamps) are close together: unsigned deltas are much shorter.
    @Override
    void writeAscending(DataOutput out, List<?> values) throws IOException {
      long previous = 0;
      for (int i = 0; i < values.size(); i++) {
        long v = (Long) values.get(i);
        if (i == 0) {
          Varints.writeSignedLong(out, v);
        } else {
          Varints.writeUnsignedLong(out, v - previous);
        }
        previous = v;
      }
    }

    @Override
    List<Object> readAscending(DataInput in, int count) throws IOException {
      List<Object> values = new ArrayList<>(Math.min(count, 1024));
      long previous = 0;
      for (int i = 0; i < count; i++) {
        long v = i == 0 ? Varints.readSignedLong(in) : previous + Varints.readUnsignedLong(in);
        values.add(v);
        previous = v;
      }
      return values;
    }
  },

  DOUBLE(Double.class) {
    @Override
    public int compare(Object a, Object b) {
      return Double.compare((Double) a, (Double) b);
    }

    // doubleToLongBits, not the raw bits: every NaN encodes the same way.
    @Override
    void write(DataOutput out, Object value) throws IOException {
      out.writeLong(Double.doubleToLongBits((Double) value));
    }

    @Override
    Object read(DataInput in) throws IOException {
      return Double.longBitsToDouble(in.readLong());
    }

    @Override
    boolean unboxed() {
      return true;
    }

    // The encoded bits (doubleToLongBits: one NaN), compared as the doubles they are.
    @Override
    long readRaw(ByteCursor in) throws IOException {
      return in.readLong();
    }

    @Override
    int compareRaw(long a, long b) {
      return Double.compare(Double.longBitsToDouble(a), Double.longBitsToDouble(b));
    }

    @Override
    long toRaw(Object value) {
      return Double.doubleToLongBits((Double) value);
    }

    @Override
    Object fromRaw(long raw) {
      return Double.longBitsToDouble(raw);
    }

    @Override
    void skip(ByteCursor in) throws IOException {
      in.advance(Long.BYTES);
    }

    // One NaN: NaNs that differ only in payload bits are the same value everywhere.
    @Override
    Object check(Object value, AggregationFunction function, DataType type) {
      Object checked = super.check(value, function, type);
      return Double.isNaN((Double) checked) ? (Object) Double.NaN : checked;
    }

    // SQL equality for grouping: 0.0 = -0.0, and all NaNs are one value (as Spark normalizes).
    @Override
    Object normalize(Object value) {
      double d = (Double) value;
      if (d == 0.0) {
        return 0.0;
      } else if (Double.isNaN(d)) {
        return Double.NaN;
      }
      return value;
    }
  },

  STRING(String.class) {
    @Override
    public int compare(Object a, Object b) {
      return compareCodePoints((String) a, (String) b);
    }

    @Override
    void write(DataOutput out, Object value) throws IOException {
      Varints.writeBytes(out, ((String) value).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    Object read(DataInput in) throws IOException {
      return new String(Varints.readBytes(in), StandardCharsets.UTF_8);
    }
  };

  private final Class<?> javaClass;

  ValueCodec(Class<?> javaClass) {
    this.javaClass = javaClass;
  }

  /** The codec of a primitive type; timestamps are bigint microseconds. */
  static ValueCodec of(DataType type) {
    if (type == DataType.BOOLEAN) {
      return BOOLEAN;
    } else if (type == DataType.LONG || type == DataType.TIMESTAMP) {
      return LONG;
    } else if (type == DataType.DOUBLE) {
      return DOUBLE;
    } else if (type == DataType.STRING) {
      return STRING;
    }
    throw new IllegalArgumentException(
        "Cannot encode values of type " + type + ": not a primitive type");
  }

  Class<?> javaClass() {
    return javaClass;
  }

  abstract void write(DataOutput out, Object value) throws IOException;

  abstract Object read(DataInput in) throws IOException;

  /**
   * Whether values also have a raw long form ({@link #readRaw}, {@link #compareRaw}): bigint and
   * double do, so merges of stored min/max/first/last IRs compare them without boxing and box only
   * the value finally kept.
   */
  boolean unboxed() {
    return false;
  }

  long readRaw(ByteCursor in) throws IOException {
    throw new UnsupportedOperationException("Cannot read " + this + " values raw");
  }

  /** This codec's order on raw forms: the sign of compare(fromRaw(a), fromRaw(b)). */
  int compareRaw(long a, long b) {
    throw new UnsupportedOperationException("Cannot compare " + this + " values raw");
  }

  long toRaw(Object value) {
    throw new UnsupportedOperationException("Cannot convert " + this + " values to raw");
  }

  Object fromRaw(long raw) {
    throw new UnsupportedOperationException("Cannot convert raw " + this + " values");
  }

  /**
   * Reads a value and keeps the better of it and {@code current} in this codec's order: the value
   * if current is null or {@code sign * compare(value, current) > 0}, else current.
   */
  Object readIfBeats(ByteCursor in, Object current, int sign) throws IOException {
    Object v = read(in);
    return current == null || sign * compare(v, current) > 0 ? v : current;
  }

  /** Moves past a value without building it (first/last skip the values of losing times). */
  void skip(ByteCursor in) throws IOException {
    read(in);
  }

  /** The value distinct/histogram/sketch aggregations group by: equal under SQL equality. */
  Object normalize(Object value) {
    return value;
  }

  /** Writes values already sorted by this codec's order; some codecs exploit the order. */
  void writeAscending(DataOutput out, List<?> values) throws IOException {
    for (Object value : values) {
      write(out, value);
    }
  }

  List<Object> readAscending(DataInput in, int count) throws IOException {
    List<Object> values = new ArrayList<>(Math.min(count, 1024));
    for (int i = 0; i < count; i++) {
      values.add(read(in));
    }
    return values;
  }

  /** Checks that an update value has this codec's Java class; the message names the function. */
  Object check(Object value, AggregationFunction function, DataType type) {
    if (!javaClass.isInstance(value)) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot update %s: expected a %s value (%s), got %s",
              function.yamlName(),
              type.sqlName(),
              javaClass.getName(),
              value.getClass().getName()));
    }
    return value;
  }

  /**
   * Compares strings by code point, which is the order of their UTF-8 bytes. {@link
   * String#compareTo} compares UTF-16 units and would put U+FFFF above U+10000.
   */
  static int compareCodePoints(String a, String b) {
    int n = Math.min(a.length(), b.length());
    for (int i = 0; i < n; i++) {
      char ca = a.charAt(i);
      char cb = b.charAt(i);
      if (ca != cb) {
        return fixup(ca) - fixup(cb);
      }
    }
    return a.length() - b.length();
  }

  // Moves surrogates (which start supplementary code points) above U+E000..U+FFFF.
  private static int fixup(char c) {
    if (c >= 0xD800) {
      return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
    return c;
  }
}
