package dev.strata.dsl.agg;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * The IRs of every aggregation of one feature group, for one tile or one window (Chronon's
 * RowAggregator): an {@code Object[]} with one IR per aggregator, in aggregator order.
 *
 * <p>Encoding: one format version byte, then each IR (itself versioned) prefixed with its
 * varint length, in aggregator order. Canonical when every IR's encoding is.
 */
public final class RowAggregator {
  static final int FORMAT_VERSION = 1;

  private final List<Aggregator<Object>> aggregators;

  @SuppressWarnings("unchecked")
  public RowAggregator(List<? extends Aggregator<?>> aggregators) {
    Objects.requireNonNull(aggregators, "aggregators");
    for (Aggregator<?> aggregator : aggregators) {
      Objects.requireNonNull(aggregator, "aggregator");
    }
    this.aggregators = (List<Aggregator<Object>>) (List<?>) List.copyOf(aggregators);
  }

  public List<Aggregator<?>> aggregators() {
    return List.copyOf(aggregators);
  }

  public int size() {
    return aggregators.size();
  }

  public Object[] create() {
    Object[] irs = new Object[aggregators.size()];
    for (int i = 0; i < irs.length; i++) {
      irs[i] = aggregators.get(i).create();
    }
    return irs;
  }

  /**
   * Adds one event: {@code inputs[i]} is the input value of aggregator i (for count(*) any
   * non-null marker). May mutate and return {@code irs}.
   */
  public Object[] update(Object[] irs, Object[] inputs, long eventMicros) {
    checkLength("update", irs);
    if (inputs.length != aggregators.size()) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot update row IRs: expected %d inputs, got %d",
              aggregators.size(), inputs.length));
    }
    for (int i = 0; i < irs.length; i++) {
      irs[i] = aggregators.get(i).update(irs[i], inputs[i], eventMicros);
    }
    return irs;
  }

  /** Merges {@code b} into {@code a}; may mutate and return {@code a}, never changes {@code b}. */
  public Object[] merge(Object[] a, Object[] b) {
    checkLength("merge", a);
    checkLength("merge", b);
    for (int i = 0; i < a.length; i++) {
      a[i] = aggregators.get(i).merge(a[i], b[i]);
    }
    return a;
  }

  /**
   * Merges the row encoded in {@code row} (what {@link #encode} wrote) into {@code into}, IR by IR
   * through {@link Aggregator#mergeEncoded}: the same as {@code merge(into, decode(row))} without
   * building the decoded row. May mutate and return {@code into}.
   *
   * @throws IllegalArgumentException when the bytes are not a row encoding of these aggregators
   *     ({@code into} may then be partly merged)
   */
  @SuppressWarnings("unchecked")
  public Object[] mergeEncoded(Object[] into, byte[] row) {
    checkLength("merge", into);
    int[] bounds = new int[2 * aggregators.size()];
    locate(row, bounds, 0);
    ByteCursor cursor = new ByteCursor(row, 0, 0);
    for (int i = 0; i < into.length; i++) {
      into[i] = aggregators.get(i).mergeEncoded(into[i], cursor.reset(row, bounds[2 * i], bounds[2 * i + 1]));
    }
    return into;
  }

  public Object[] finish(Object[] irs) {
    checkLength("finish", irs);
    Object[] values = new Object[irs.length];
    for (int i = 0; i < irs.length; i++) {
      values[i] = aggregators.get(i).finish(irs[i]);
    }
    return values;
  }

  public Object[] copy(Object[] irs) {
    checkLength("copy", irs);
    Object[] copy = new Object[irs.length];
    for (int i = 0; i < irs.length; i++) {
      copy[i] = aggregators.get(i).copy(irs[i]);
    }
    return copy;
  }

  public byte[] encode(Object[] irs) {
    checkLength("encode", irs);
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);
    ByteArrayOutputStream scratch = new ByteArrayOutputStream(64);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeByte(FORMAT_VERSION);
      for (int i = 0; i < irs.length; i++) {
        scratch.reset();
        DataOutputStream irOut = new DataOutputStream(scratch);
        aggregators.get(i).encode(irs[i], irOut);
        irOut.flush();
        Varints.writeCount(out, scratch.size());
        scratch.writeTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Decodes what {@link #encode} wrote; throws IllegalArgumentException on any other bytes. */
  @SuppressWarnings("unchecked")
  public Object[] decode(byte[] bytes) {
    ByteCursor in = new ByteCursor(bytes, 0, bytes.length);
    Object[] irs = new Object[aggregators.size()];
    try {
      int version = in.readUnsignedByte();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException(
            "Cannot decode row IRs: unsupported format version " + version);
      }
      for (int i = 0; i < irs.length; i++) {
        long length = in.readVarint();
        if (length < 0 || length > in.remaining()) {
          throw new EOFException();
        }
        // Each IR is decoded from exactly its own bytes: it must consume all of them.
        ByteCursor ir = new ByteCursor(bytes, in.position(), in.position() + (int) length);
        irs[i] = aggregators.get(i).decode(ir);
        if (ir.remaining() != 0) {
          throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot decode %s IR: %d trailing bytes", aggregators.get(i).function().yamlName(), ir.remaining()));
        }
        in.advance((int) length);
      }
    } catch (EOFException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode row IRs: truncated input for %d aggregations", irs.length),
          e);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot decode row IRs: " + e.getMessage(), e);
    }
    if (in.remaining() > 0) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode row IRs: %d trailing bytes after %d aggregations",
              in.remaining(), irs.length));
    }
    return irs;
  }

  /**
   * Finds each IR of a row encoding without decoding it: IR i is {@code bytes[bounds[2i],
   * bounds[2i + 1])}, ready for {@link Aggregator#mergeEncoded}. Checks the framing as {@link
   * #decode} does (the IRs themselves are checked when merged).
   *
   * @param bounds an array of at least {@code 2 * size()} ints, filled from {@code offset}
   */
  public void locate(byte[] bytes, int[] bounds, int offset) {
    ByteCursor in = new ByteCursor(bytes, 0, bytes.length);
    int n = aggregators.size();
    try {
      int version = in.readUnsignedByte();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException(
            "Cannot decode row IRs: unsupported format version " + version);
      }
      for (int i = 0; i < n; i++) {
        long length = in.readVarint();
        if (length < 0 || length > in.remaining()) {
          throw new EOFException();
        }
        bounds[offset + 2 * i] = in.position();
        in.advance((int) length);
        bounds[offset + 2 * i + 1] = in.position();
      }
    } catch (EOFException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode row IRs: truncated input for %d aggregations", n), e);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot decode row IRs: " + e.getMessage(), e);
    }
    if (in.remaining() > 0) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode row IRs: %d trailing bytes after %d aggregations", in.remaining(), n));
    }
  }

  private void checkLength(String operation, Object[] irs) {
    if (irs.length != aggregators.size()) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot %s row IRs: expected %d IRs, got %d",
              operation, aggregators.size(), irs.length));
    }
  }
}
