package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;

/** Type rules shared by the checker, the node constructors and the interpreter. */
final class Types {
  private Types() {}

  /** The common type of two values (bigint and double give double), or null. */
  static DataType unify(DataType a, DataType b) {
    if (a.equals(b)) {
      return a;
    } else if (a.isNumeric() && b.isNumeric()) {
      return DataType.DOUBLE;
    }
    return null;
  }

  static DataType unifyAll(List<DataType> types) {
    DataType result = null;
    for (DataType t : types) {
      result = result == null ? t : unify(result, t);
      if (result == null) {
        return null;
      }
    }
    return result;
  }

  /** True when a value of type {@code from} may stand where {@code to} is produced. */
  static boolean widensTo(DataType from, DataType to) {
    return from.widensTo(to);
  }

  /** Whether {@code =} applies: numbers with numbers, otherwise equal primitive types. */
  static boolean comparable(DataType a, DataType b) {
    if (a.isNumeric() && b.isNumeric()) {
      return true;
    }
    return a.equals(b) && a instanceof DataType.Primitive;
  }

  /** Whether {@code <} applies; booleans are not ordered (see {@link DataType#isOrderable()}). */
  static boolean orderable(DataType a, DataType b) {
    return comparable(a, b) && a.isOrderable();
  }

  /** Throws when an operator does not apply to operands of these types. */
  static void checkOperands(BinaryOp op, DataType left, DataType right) {
    boolean ok;
    if (op.isArithmetic()) {
      ok = left.isNumeric() && right.isNumeric();
    } else if (op.isLogical()) {
      ok = left == DataType.BOOLEAN && right == DataType.BOOLEAN;
    } else if (op == BinaryOp.CONCAT) {
      ok = left == DataType.STRING && right == DataType.STRING;
    } else {
      ok = op == BinaryOp.EQ || op == BinaryOp.NE ? comparable(left, right) : orderable(left, right);
    }
    if (!ok) {
      throw new IllegalArgumentException(
          "Cannot create " + op.jsonName() + ": it does not apply to " + left + " and " + right);
    }
  }

  static void checkComparable(String what, DataType a, DataType b, boolean equality) {
    if (equality ? !comparable(a, b) : !orderable(a, b)) {
      throw new IllegalArgumentException("Cannot create " + what + ": cannot compare " + a + " with " + b);
    }
  }

  /** Casts between primitives, except between boolean and timestamp which mean nothing. */
  static boolean canCast(DataType from, DataType to) {
    if (!(from instanceof DataType.Primitive) || !(to instanceof DataType.Primitive)) {
      return from.equals(to);
    }
    boolean boolTs =
        (from == DataType.BOOLEAN && to == DataType.TIMESTAMP)
            || (from == DataType.TIMESTAMP && to == DataType.BOOLEAN);
    return !boolTs;
  }
}
