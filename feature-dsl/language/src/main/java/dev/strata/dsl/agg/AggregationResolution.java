package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.util.Objects;

/** The outcome of checking an aggregation: its output type, or a one-sentence error. */
public final class AggregationResolution {
  private final DataType outputType;
  private final String error;

  private AggregationResolution(DataType outputType, String error) {
    this.outputType = outputType;
    this.error = error;
  }

  static AggregationResolution of(DataType outputType) {
    return new AggregationResolution(Objects.requireNonNull(outputType, "outputType"), null);
  }

  static AggregationResolution failed(String error) {
    return new AggregationResolution(null, Objects.requireNonNull(error, "error"));
  }

  public boolean isValid() {
    return error == null;
  }

  /** The output type, or null when the aggregation is invalid. */
  public DataType outputType() {
    return outputType;
  }

  /** The error, e.g. {@code avg takes a numeric input, got string}, or null when valid. */
  public String error() {
    return error;
  }

  @Override
  public String toString() {
    return isValid() ? "valid: " + outputType : "invalid: " + error;
  }
}
