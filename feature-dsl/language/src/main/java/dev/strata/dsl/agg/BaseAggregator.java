package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.EOFException;
import java.io.IOException;
import java.util.Locale;

/** Function and types of an aggregator, and the format version byte in front of every IR. */
abstract class BaseAggregator<IR> implements Aggregator<IR> {
  static final int FORMAT_VERSION = 1;

  private final AggregationFunction function;
  private final DataType inputType;
  private final DataType outputType;

  BaseAggregator(AggregationFunction function, DataType inputType, DataType outputType) {
    this.function = function;
    this.inputType = inputType;
    this.outputType = outputType;
  }

  @Override
  public AggregationFunction function() {
    return function;
  }

  @Override
  public DataType inputType() {
    return inputType;
  }

  @Override
  public DataType outputType() {
    return outputType;
  }

  @Override
  public final void encode(IR ir, DataOutput out) throws IOException {
    out.writeByte(FORMAT_VERSION);
    encodeBody(ir, out);
  }

  @Override
  public final IR decode(DataInput in) throws IOException {
    int version = in.readUnsignedByte();
    if (version != FORMAT_VERSION) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: unsupported format version %d", function.yamlName(), version));
    }
    return decodeBody(in);
  }

  @Override
  public final IR mergeEncoded(IR into, ByteCursor in) {
    IR merged;
    try {
      int version = in.readUnsignedByte();
      if (version != FORMAT_VERSION) {
        throw new IllegalArgumentException(
            String.format(Locale.ROOT, "Cannot decode %s IR: unsupported format version %d", function.yamlName(), version));
      }
      merged = mergeBody(into, in);
    } catch (EOFException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: truncated input", function.yamlName()), e);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: %s", function.yamlName(), e.getMessage()), e);
    }
    if (in.remaining() > 0) {
      throw new IllegalArgumentException(
          String.format(Locale.ROOT, "Cannot decode %s IR: %d trailing bytes", function.yamlName(), in.remaining()));
    }
    return merged;
  }

  /** Merges the body that {@link #encodeBody} wrote into {@code into}; overridden where a decoded IR can be skipped. */
  IR mergeBody(IR into, ByteCursor in) throws IOException {
    return merge(into, decodeBody(in));
  }

  abstract void encodeBody(IR ir, DataOutput out) throws IOException;

  abstract IR decodeBody(DataInput in) throws IOException;

  @Override
  public String toString() {
    return function.yamlName() + "(" + (inputType == null ? "*" : inputType.sqlName()) + ")";
  }
}
