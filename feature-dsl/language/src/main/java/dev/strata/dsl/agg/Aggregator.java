package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * One aggregation as a mergeable intermediate representation (IR): {@link #create()} an empty
 * IR, {@link #update} it with events, {@link #merge} IRs of disjoint sets of events, {@link
 * #finish} to the feature value. A tile is the IR of one key's events in one hop.
 *
 * <p>Contract shared by all implementations: merging in any order or tree gives the same result
 * as one pass over the events (exactly, or within the documented error for sketches), and the
 * encoding is canonical — the same multiset of (value, event time) updates encodes to the same
 * bytes — except where an implementation's javadoc says otherwise. Encodings start with a format
 * version byte. IRs are not thread-safe.
 *
 * @param <IR> the intermediate representation, opaque to callers
 */
public interface Aggregator<IR> {
  AggregationFunction function();

  /** The input type, or null for {@code count(*)}. */
  DataType inputType();

  DataType outputType();

  /** A new empty IR. */
  IR create();

  /**
   * Adds one event; may mutate and return {@code ir}. A null value is ignored, except by {@code
   * count(*)}, which counts rows: callers pass any non-null marker such as {@code Boolean.TRUE}.
   */
  IR update(IR ir, Object value, long eventMicros);

  /** Merges {@code b} into {@code a}; may mutate and return {@code a}, never changes {@code b}. */
  IR merge(IR a, IR b);

  /** The feature value: null for an empty IR, except 0 for the counts. */
  Object finish(IR ir);

  /** An independent copy. */
  IR copy(IR ir);

  void encode(IR ir, DataOutput out) throws IOException;

  IR decode(DataInput in) throws IOException;

  /**
   * Merges the IR encoded in all the remaining bytes of {@code in} into {@code into}: the same as
   * {@code merge(into, decode(those bytes))}, but implementations skip building the decoded IR
   * where they can (the online reader merges thousands of stored blocks per request, through one
   * cursor). On bad bytes it throws IllegalArgumentException, and {@code into} may then be partly
   * merged.
   */
  default IR mergeEncoded(IR into, ByteCursor in) {
    IR decoded;
    try {
      decoded = decode(in);
    } catch (EOFException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: truncated input", function().yamlName()), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: %s", function().yamlName(), e.getMessage()), e);
    }
    if (in.remaining() > 0) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: %d trailing bytes", function().yamlName(), in.remaining()));
    }
    return merge(into, decoded);
  }

  default byte[] encode(IR ir) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream(32);
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      encode(ir, out);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  /** Decodes all of {@code bytes}; throws IllegalArgumentException when they are not one IR. */
  default IR decode(byte[] bytes) {
    ByteCursor stream = new ByteCursor(bytes, 0, bytes.length);
    IR ir;
    try {
      ir = decode(stream);
    } catch (EOFException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: truncated input", function().yamlName()), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: %s", function().yamlName(), e.getMessage()), e);
    }
    if (stream.remaining() > 0) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: %d trailing bytes", function().yamlName(), stream.remaining()));
    }
    return ir;
  }
}
