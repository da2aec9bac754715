package dev.strata.dsl.agg;

import java.io.DataInput;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;

/**
 * A {@link DataInput} over a byte range, without locks or copies. Decoding IRs is on the online
 * read path: {@code DataInputStream} over the synchronized {@code ByteArrayInputStream} cost
 * most of a 100-entity fetch.
 */
public final class ByteCursor implements DataInput {
  private byte[] bytes;
  private int end;
  private int pos;

  public ByteCursor(byte[] bytes, int from, int end) {
    reset(bytes, from, end);
  }

  /** Points this cursor at another range, so one cursor can read many (a read merges thousands of IRs). */
  public ByteCursor reset(byte[] bytes, int from, int end) {
    if (from < 0 || from > end || end > bytes.length) {
      throw new IndexOutOfBoundsException("Cannot read bytes [" + from + ", " + end + ") of " + bytes.length);
    }
    this.bytes = bytes;
    this.pos = from;
    this.end = end;
    return this;
  }

  /** The current position in the array. */
  public int position() {
    return pos;
  }

  /** Moves past {@code n} bytes that were read through another cursor. */
  public void advance(int n) throws EOFException {
    need(n);
    pos += n;
  }

  public int remaining() {
    return end - pos;
  }

  public long readVarint() throws IOException {
    long result = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = readUnsignedByte();
      result |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return result;
      }
    }
    throw new IOException("malformed varint");
  }

  private void need(int n) throws EOFException {
    if (end - pos < n) {
      throw new EOFException();
    }
  }

  @Override
  public void readFully(byte[] b) throws IOException {
    readFully(b, 0, b.length);
  }

  @Override
  public void readFully(byte[] b, int off, int len) throws IOException {
    need(len);
    System.arraycopy(bytes, pos, b, off, len);
    pos += len;
  }

  @Override
  public int skipBytes(int n) {
    int k = Math.max(0, Math.min(n, end - pos));
    pos += k;
    return k;
  }

  @Override
  public boolean readBoolean() throws IOException {
    return readUnsignedByte() != 0;
  }

  @Override
  public byte readByte() throws IOException {
    need(1);
    return bytes[pos++];
  }

  @Override
  public int readUnsignedByte() throws IOException {
    need(1);
    return bytes[pos++] & 0xff;
  }

  @Override
  public short readShort() throws IOException {
    return (short) readUnsignedShort();
  }

  @Override
  public int readUnsignedShort() throws IOException {
    need(2);
    int v = ((bytes[pos] & 0xff) << 8) | (bytes[pos + 1] & 0xff);
    pos += 2;
    return v;
  }

  @Override
  public char readChar() throws IOException {
    return (char) readUnsignedShort();
  }

  @Override
  public int readInt() throws IOException {
    need(4);
    int v = ((bytes[pos] & 0xff) << 24) | ((bytes[pos + 1] & 0xff) << 16) | ((bytes[pos + 2] & 0xff) << 8)
        | (bytes[pos + 3] & 0xff);
    pos += 4;
    return v;
  }

  @Override
  public long readLong() throws IOException {
    long hi = readInt() & 0xffffffffL;
    long lo = readInt() & 0xffffffffL;
    return (hi << 32) | lo;
  }

  @Override
  public float readFloat() throws IOException {
    return Float.intBitsToFloat(readInt());
  }

  @Override
  public double readDouble() throws IOException {
    return Double.longBitsToDouble(readLong());
  }

  @Override
  @Deprecated
  public String readLine() {
    throw new UnsupportedOperationException("Cannot read lines from tile bytes");
  }

  @Override
  public String readUTF() throws IOException {
    return DataInputStream.readUTF(this);
  }
}
