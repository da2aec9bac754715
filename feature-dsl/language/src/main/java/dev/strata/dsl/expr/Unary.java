package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;
import java.util.Objects;

/** {@code NOT x}, {@code -x}, {@code x IS NULL}, {@code x IS NOT NULL}. */
public record Unary(UnaryOp op, TypedExpr arg) implements TypedExpr {
  public Unary {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(arg, "arg");
    if (op == UnaryOp.NOT && arg.type() != DataType.BOOLEAN) {
      throw new IllegalArgumentException("Cannot create NOT: operand is " + arg.type() + ", not boolean");
    } else if (op == UnaryOp.NEGATE && !arg.type().isNumeric()) {
      throw new IllegalArgumentException("Cannot create negation: operand is " + arg.type() + ", not a number");
    }
  }

  /** Negation keeps its operand's type; the others are predicates. */
  @Override
  public DataType type() {
    return op == UnaryOp.NEGATE ? arg.type() : DataType.BOOLEAN;
  }

  @Override
  public List<TypedExpr> children() {
    return List.of(arg);
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.unary(this);
  }
}
