package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.util.Objects;

/**
 * An expression bound to a schema's field positions, for evaluating row after row. This is the
 * reference semantics the other engines must match (see {@link Values} for NaN, overflow and
 * casts). Immutable and thread-safe.
 */
public final class BoundExpression {
  private final TypedExpr expr;
  private final Schema schema;
  private final Interpreter.Evaluator root;

  private BoundExpression(TypedExpr expr, Schema schema, Interpreter.Evaluator root) {
    this.expr = expr;
    this.schema = schema;
    this.root = root;
  }

  /**
   * Binds column references to positions in {@code schema}.
   *
   * @throws IllegalArgumentException when a column is missing or has another type
   */
  public static BoundExpression bind(TypedExpr expr, Schema schema) {
    Objects.requireNonNull(expr, "expr");
    Objects.requireNonNull(schema, "schema");
    return new BoundExpression(expr, schema, expr.accept(new Interpreter(schema)));
  }

  /**
   * Evaluates on a row whose values are in schema order, in the Java representation of their
   * types (see {@link DataType}); returns null for SQL NULL.
   */
  public Object eval(Object[] row) {
    return root.eval(row);
  }

  /** For filters: true only when the result is TRUE (NULL and FALSE drop the row, as in SQL WHERE). */
  public boolean test(Object[] row) {
    return Boolean.TRUE.equals(root.eval(row));
  }

  public TypedExpr expr() {
    return expr;
  }

  public Schema schema() {
    return schema;
  }

  public DataType type() {
    return expr.type();
  }
}
