package dev.strata.dsl.expr;

/** Prefix and postfix operators. */
public enum UnaryOp {
  NOT("not"),
  NEGATE("neg"),
  IS_NULL("is_null"),
  IS_NOT_NULL("is_not_null");

  private final String jsonName;

  UnaryOp(String jsonName) {
    this.jsonName = jsonName;
  }

  /** The stable name in {@link ExprJson}. */
  public String jsonName() {
    return jsonName;
  }
}
