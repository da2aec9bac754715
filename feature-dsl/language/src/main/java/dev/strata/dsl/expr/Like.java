package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;
import java.util.Objects;

/**
 * {@code value [NOT] LIKE pattern}: {@code %} matches any sequence, {@code _} one character and
 * a backslash makes the next character literal (Spark's default escape).
 */
public record Like(TypedExpr value, TypedExpr pattern, boolean negated) implements TypedExpr {
  public Like {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(pattern, "pattern");
    if (value.type() != DataType.STRING || pattern.type() != DataType.STRING) {
      throw new IllegalArgumentException(
          "Cannot create LIKE: operands are " + value.type() + " and " + pattern.type() + ", not strings");
    }
  }

  @Override
  public DataType type() {
    return DataType.BOOLEAN;
  }

  @Override
  public List<TypedExpr> children() {
    return List.of(value, pattern);
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.like(this);
  }
}
