package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Compiles expression text: parse, then type check against a schema. Mistakes in the text come
 * back as {@link ExpressionError}s, never as exceptions. A syntax error stops parsing; type
 * errors are all reported.
 */
public final class Expressions {
  private Expressions() {}

  public static ExpressionResult compile(String text, Schema schema) {
    return compile(text, schema, null, null);
  }

  /**
   * Compiles and checks the result type.
   *
   * @param expected the type the result must have, or null for any. A bigint result where a
   *     double is expected is accepted and wrapped in a CAST, so the result's type is always
   *     {@code expected}.
   * @param role what the expression is, for messages, e.g. "filter" in "filter must be boolean,
   *     got bigint"; null for "expression"
   */
  public static ExpressionResult compile(String text, Schema schema, DataType expected, String role) {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(schema, "schema");
    Syntax syntax;
    try {
      syntax = Parser.parse(text);
    } catch (SyntaxError e) {
      return ExpressionResult.failure(List.of(e.toError()));
    }
    TypeChecker checker = new TypeChecker(schema);
    TypedExpr expr = checker.check(syntax);
    if (expr != null && expected != null) {
      expr = TypeChecker.retype(expr, expected);
      if (expr.type() == DataType.LONG && expected == DataType.DOUBLE) {
        expr = new Cast(expr, DataType.DOUBLE);
      } else if (!expr.type().equals(expected)) {
        String what = role == null ? "expression" : role;
        checker.error(syntax.start(), syntax.end(), what + " must be " + expected + ", got " + expr.type());
        expr = null;
      }
    }
    if (!checker.errors().isEmpty()) {
      List<ExpressionError> errors = new ArrayList<>(checker.errors());
      errors.sort(Comparator.comparingInt(ExpressionError::offset));
      return ExpressionResult.failure(errors);
    }
    return ExpressionResult.success(expr);
  }

  /** Compiles and throws IllegalArgumentException on errors; for tests and code-built plans. */
  public static TypedExpr parse(String text, Schema schema) {
    return compile(text, schema).orElseThrow();
  }
}
