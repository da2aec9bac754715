package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;
import java.util.Objects;

/**
 * An infix operation. The type follows from the operator and operand types: comparisons and
 * AND/OR are boolean, {@code ||} is string, {@code /} is always double, other arithmetic is
 * bigint when both operands are bigint and double otherwise.
 */
public record Binary(BinaryOp op, TypedExpr left, TypedExpr right, DataType type) implements TypedExpr {
  public Binary {
    Objects.requireNonNull(op, "op");
    Objects.requireNonNull(left, "left");
    Objects.requireNonNull(right, "right");
    Objects.requireNonNull(type, "type");
    Types.checkOperands(op, left.type(), right.type());
    DataType expected = resultType(op, left.type(), right.type());
    if (!type.equals(expected)) {
      throw new IllegalArgumentException(
          "Cannot create " + op.jsonName() + ": type must be " + expected + ", not " + type);
    }
  }

  public Binary(BinaryOp op, TypedExpr left, TypedExpr right) {
    this(op, left, right, resultType(op, left.type(), right.type()));
  }

  static DataType resultType(BinaryOp op, DataType left, DataType right) {
    if (op.isComparison() || op.isLogical()) {
      return DataType.BOOLEAN;
    } else if (op == BinaryOp.CONCAT) {
      return DataType.STRING;
    } else if (op == BinaryOp.DIV) {
      return DataType.DOUBLE;
    }
    return left == DataType.LONG && right == DataType.LONG ? DataType.LONG : DataType.DOUBLE;
  }

  @Override
  public List<TypedExpr> children() {
    return List.of(left, right);
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.binary(this);
  }
}
