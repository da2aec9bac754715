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

  /**
   * The column names an expression mentions, without type checking: for ordering definitions
   * that refer to each other (derived features). Empty when the text does not parse.
   */
  public static java.util.Optional<java.util.Set<String>> referencedColumns(String text) {
    try {
      java.util.Set<String> names = new java.util.LinkedHashSet<>();
      collectColumns(Parser.parse(text), names);
      return java.util.Optional.of(names);
    } catch (SyntaxError e) {
      return java.util.Optional.empty();
    }
  }

  private static void collectColumns(Syntax s, java.util.Set<String> out) {
    if (s == null) {
      return;
    }
    if (s instanceof Syntax.Col c) {
      out.add(c.name());
    } else if (s instanceof Syntax.Op1 u) {
      collectColumns(u.arg(), out);
    } else if (s instanceof Syntax.Op2 b) {
      collectColumns(b.left(), out);
      collectColumns(b.right(), out);
    } else if (s instanceof Syntax.InOp in) {
      collectColumns(in.value(), out);
      in.list().forEach(x -> collectColumns(x, out));
    } else if (s instanceof Syntax.BetweenOp b) {
      collectColumns(b.value(), out);
      collectColumns(b.low(), out);
      collectColumns(b.high(), out);
    } else if (s instanceof Syntax.LikeOp l) {
      collectColumns(l.value(), out);
      collectColumns(l.pattern(), out);
    } else if (s instanceof Syntax.CaseOp c) {
      collectColumns(c.operand(), out);
      c.whens().forEach(x -> collectColumns(x, out));
      c.thens().forEach(x -> collectColumns(x, out));
      collectColumns(c.orElse(), out);
    } else if (s instanceof Syntax.CastOp c) {
      collectColumns(c.arg(), out);
    } else if (s instanceof Syntax.CallOp c) {
      c.args().forEach(x -> collectColumns(x, out));
    }
  }

  /**
   * The column an expression is, when it is nothing but a column name (plain or in backquotes):
   * for inputs whose columns are typed from where they are used, such as a file spine's key
   * columns. Empty for any other expression and for text that does not parse.
   */
  public static java.util.Optional<String> columnName(String text) {
    try {
      return Parser.parse(text) instanceof Syntax.Col c ? java.util.Optional.of(c.name()) : java.util.Optional.empty();
    } catch (SyntaxError e) {
      return java.util.Optional.empty();
    }
  }

  /** Compiles and throws IllegalArgumentException on errors; for tests and code-built plans. */
  public static TypedExpr parse(String text, Schema schema) {
    return compile(text, schema).orElseThrow();
  }
}
