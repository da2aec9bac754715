package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A type-checked expression. Nodes are immutable values with structural equality, so two
 * compilations of the same text (or of its {@link #toSql() canonical SQL}) are equal.
 *
 * <p>Engines translate expressions from this tree, never from text, through {@link
 * #accept(ExprVisitor)}. The tree holds no implicit conversions: a node's {@link #type()} says
 * what it produces (for example a {@code bigint + double} {@link Binary} is {@code double}) and
 * each engine converts operands as the node's type requires.
 */
public sealed interface TypedExpr
    permits Literal, ColumnRef, Unary, Binary, InList, Between, Like, CaseWhen, Cast, Call {

  /** The type of the values this expression produces. */
  DataType type();

  <R> R accept(ExprVisitor<R> visitor);

  /** The direct sub-expressions, in evaluation order. */
  List<TypedExpr> children();

  /**
   * Canonical SQL: keywords upper case, parenthesised where precedence requires. Compiling it
   * against the same schema gives an equal tree.
   */
  default String toSql() {
    return SqlPrinter.print(this);
  }

  /** The names of the referenced columns, in order of first appearance. */
  default Set<String> columns() {
    Set<String> names = new LinkedHashSet<>();
    collectColumns(this, names);
    return Collections.unmodifiableSet(names);
  }

  private static void collectColumns(TypedExpr e, Set<String> names) {
    if (e instanceof ColumnRef c) {
      names.add(c.name());
    }
    for (TypedExpr child : e.children()) {
      collectColumns(child, names);
    }
  }
}
