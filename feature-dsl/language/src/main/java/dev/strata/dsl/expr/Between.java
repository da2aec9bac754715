package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;
import java.util.Objects;

/** {@code value [NOT] BETWEEN low AND high}: {@code value >= low AND value <= high}. */
public record Between(TypedExpr value, TypedExpr low, TypedExpr high, boolean negated) implements TypedExpr {
  public Between {
    Objects.requireNonNull(value, "value");
    Objects.requireNonNull(low, "low");
    Objects.requireNonNull(high, "high");
    Types.checkComparable("BETWEEN", value.type(), low.type(), false);
    Types.checkComparable("BETWEEN", value.type(), high.type(), false);
  }

  @Override
  public DataType type() {
    return DataType.BOOLEAN;
  }

  @Override
  public List<TypedExpr> children() {
    return List.of(value, low, high);
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.between(this);
  }
}
