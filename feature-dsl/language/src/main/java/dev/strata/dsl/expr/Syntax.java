package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.List;

/**
 * The untyped tree the parser produces, with source offsets so the checker can point at the
 * offending text. {@code start} is inclusive, {@code end} exclusive.
 */
sealed interface Syntax {
  int start();

  int end();

  /** A constant; {@code type} is null for the keyword NULL. */
  record Lit(Object value, DataType type, int start, int end) implements Syntax {}

  record Col(String name, int start, int end) implements Syntax {}

  /** A prefix ({@code NOT}, {@code -}) or postfix ({@code IS [NOT] NULL}) operator. */
  record Op1(UnaryOp op, Syntax arg, int opStart, int opEnd, int start, int end) implements Syntax {}

  record Op2(BinaryOp op, Syntax left, Syntax right, int opStart, int opEnd) implements Syntax {
    @Override
    public int start() {
      return left.start();
    }

    @Override
    public int end() {
      return right.end();
    }
  }

  record InOp(Syntax value, List<Syntax> list, boolean negated, int opStart, int opEnd, int end)
      implements Syntax {
    @Override
    public int start() {
      return value.start();
    }
  }

  record BetweenOp(Syntax value, Syntax low, Syntax high, boolean negated, int opStart, int opEnd)
      implements Syntax {
    @Override
    public int start() {
      return value.start();
    }

    @Override
    public int end() {
      return high.end();
    }
  }

  record LikeOp(Syntax value, Syntax pattern, boolean negated, int opStart, int opEnd) implements Syntax {
    @Override
    public int start() {
      return value.start();
    }

    @Override
    public int end() {
      return pattern.end();
    }
  }

  /** {@code operand} and {@code orElse} may be null; {@code whens} and {@code thens} pair up. */
  record CaseOp(Syntax operand, List<Syntax> whens, List<Syntax> thens, Syntax orElse, int start, int end)
      implements Syntax {}

  record CastOp(Syntax arg, String typeName, int typeStart, int typeEnd, int start, int end) implements Syntax {}

  record CallOp(String name, List<Syntax> args, int start, int nameEnd, int end) implements Syntax {}
}
