package dev.strata.dsl.agg;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/** LEB128 varints and zigzag signed varints, the integer encoding of every IR. */
final class Varints {
  /** Upper bound for any length prefix: corrupt input fails fast instead of exhausting memory. */
  static final int MAX_LENGTH = 1 << 26;

  private Varints() {}

  static void writeUnsignedLong(DataOutput out, long value) throws IOException {
    long v = value;
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  static long readUnsignedLong(DataInput in) throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IOException("malformed varint");
  }

  static void writeSignedLong(DataOutput out, long value) throws IOException {
    writeUnsignedLong(out, (value << 1) ^ (value >> 63));
  }

  static long readSignedLong(DataInput in) throws IOException {
    long v = readUnsignedLong(in);
    return (v >>> 1) ^ -(v & 1);
  }

  /** Writes a count or length; negative values are a bug in the caller. */
  static void writeCount(DataOutput out, int count) throws IOException {
    if (count < 0) {
      throw new IllegalArgumentException("Cannot encode count: negative value " + count);
    }
    writeUnsignedLong(out, count);
  }

  /** Reads a count or length, rejecting values that cannot be real. */
  static int readCount(DataInput in) throws IOException {
    long v = readUnsignedLong(in);
    if (v > MAX_LENGTH) {
      throw new IOException("length " + Long.toUnsignedString(v) + " is too large");
    }
    return (int) v;
  }

  static byte[] readBytes(DataInput in) throws IOException {
    byte[] bytes = new byte[readCount(in)];
    in.readFully(bytes);
    return bytes;
  }

  static void writeBytes(DataOutput out, byte[] bytes) throws IOException {
    writeCount(out, bytes.length);
    out.write(bytes);
  }
}
