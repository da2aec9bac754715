package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;
import java.util.Objects;

/**
 * A constant. {@code value} is null for SQL NULL, otherwise the Java representation of {@code
 * type} (see {@link DataType}): Long for bigint and timestamp (microseconds), Double, String,
 * Boolean.
 *
 * <p>An untyped {@code NULL} in the text takes its type from where it is used ({@code x + NULL}
 * is a bigint NULL); where nothing decides, it is a boolean NULL, which prints as plain {@code
 * NULL}. NULLs of other types print as {@code CAST(NULL AS type)}.
 */
public record Literal(Object value, DataType type) implements TypedExpr {
  public Literal {
    Objects.requireNonNull(type, "type");
    if (!(type instanceof DataType.Primitive)) {
      throw new IllegalArgumentException("Cannot create literal: type " + type + " has no literals");
    }
    if (value != null && !Values.isInstance(value, type)) {
      throw new IllegalArgumentException(
          "Cannot create literal: " + value + " (" + value.getClass().getSimpleName() + ") is not a " + type);
    }
  }

  public static Literal of(long value) {
    return new Literal(value, DataType.LONG);
  }

  public static Literal of(double value) {
    return new Literal(value, DataType.DOUBLE);
  }

  public static Literal of(String value) {
    return new Literal(Objects.requireNonNull(value, "value"), DataType.STRING);
  }

  public static Literal of(boolean value) {
    return new Literal(value, DataType.BOOLEAN);
  }

  public static Literal timestamp(long micros) {
    return new Literal(micros, DataType.TIMESTAMP);
  }

  public static Literal nullOf(DataType type) {
    return new Literal(null, type);
  }

  public boolean isNull() {
    return value == null;
  }

  @Override
  public List<TypedExpr> children() {
    return List.of();
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.literal(this);
  }
}
