package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** {@code value [NOT] IN (list...)}, with SQL NULL semantics. */
public record InList(TypedExpr value, List<TypedExpr> list, boolean negated) implements TypedExpr {
  public InList {
    Objects.requireNonNull(value, "value");
    list = List.copyOf(list);
    if (list.isEmpty()) {
      throw new IllegalArgumentException("Cannot create IN: the list is empty");
    }
    for (TypedExpr e : list) {
      Types.checkComparable("IN", value.type(), e.type(), true);
    }
  }

  @Override
  public DataType type() {
    return DataType.BOOLEAN;
  }

  @Override
  public List<TypedExpr> children() {
    List<TypedExpr> all = new ArrayList<>(list.size() + 1);
    all.add(value);
    all.addAll(list);
    return List.copyOf(all);
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.in(this);
  }
}
