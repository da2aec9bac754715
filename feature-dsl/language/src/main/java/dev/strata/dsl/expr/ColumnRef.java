package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;
import java.util.Objects;

/** A column of the input row; dotted names such as {@code group.feature} are one name. */
public record ColumnRef(String name, DataType type) implements TypedExpr {
  public ColumnRef {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }

  @Override
  public List<TypedExpr> children() {
    return List.of();
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.column(this);
  }
}
