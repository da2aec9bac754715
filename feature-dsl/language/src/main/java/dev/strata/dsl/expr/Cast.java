package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;
import java.util.Objects;

/**
 * {@code CAST(arg AS type)} between primitive types, with Spark's non-ANSI semantics: a string
 * that does not parse becomes NULL, timestamp to/from numbers is in seconds.
 */
public record Cast(TypedExpr arg, DataType type) implements TypedExpr {
  public Cast {
    Objects.requireNonNull(arg, "arg");
    Objects.requireNonNull(type, "type");
    if (!Types.canCast(arg.type(), type)) {
      throw new IllegalArgumentException("Cannot create cast: cannot cast " + arg.type() + " to " + type);
    }
  }

  @Override
  public List<TypedExpr> children() {
    return List.of(arg);
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.cast(this);
  }
}
