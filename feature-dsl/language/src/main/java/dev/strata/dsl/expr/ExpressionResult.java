package dev.strata.dsl.expr;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/** A compiled expression, or the errors that prevented it. Never both. */
public final class ExpressionResult {
  private final TypedExpr expr;
  private final List<ExpressionError> errors;

  private ExpressionResult(TypedExpr expr, List<ExpressionError> errors) {
    this.expr = expr;
    this.errors = List.copyOf(errors);
  }

  static ExpressionResult success(TypedExpr expr) {
    return new ExpressionResult(expr, List.of());
  }

  static ExpressionResult failure(List<ExpressionError> errors) {
    if (errors.isEmpty()) {
      throw new IllegalArgumentException("Cannot create failed result: no errors");
    }
    return new ExpressionResult(null, errors);
  }

  /** The typed expression; empty when there are errors. */
  public Optional<TypedExpr> expr() {
    return Optional.ofNullable(expr);
  }

  /** Errors in order of position. */
  public List<ExpressionError> errors() {
    return errors;
  }

  public boolean isOk() {
    return errors.isEmpty();
  }

  /** The expression, or an IllegalArgumentException listing the errors (for code, not users). */
  public TypedExpr orElseThrow() {
    if (expr == null) {
      throw new IllegalArgumentException(
          "Cannot compile expression: "
              + errors.stream().map(ExpressionError::toString).collect(Collectors.joining("; ")));
    }
    return expr;
  }

  @Override
  public String toString() {
    return expr != null ? "ExpressionResult{" + expr.toSql() + "}" : "ExpressionResult" + errors;
  }
}
