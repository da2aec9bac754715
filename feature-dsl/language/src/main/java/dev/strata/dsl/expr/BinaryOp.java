package dev.strata.dsl.expr;

/** Infix operators, with their canonical SQL spelling and stable JSON name. */
public enum BinaryOp {
  ADD("+", "add"),
  SUB("-", "sub"),
  MUL("*", "mul"),
  DIV("/", "div"),
  MOD("%", "mod"),
  EQ("=", "eq"),
  NE("<>", "ne"),
  LT("<", "lt"),
  LE("<=", "le"),
  GT(">", "gt"),
  GE(">=", "ge"),
  AND("AND", "and"),
  OR("OR", "or"),
  CONCAT("||", "concat");

  private final String sql;
  private final String jsonName;

  BinaryOp(String sql, String jsonName) {
    this.sql = sql;
    this.jsonName = jsonName;
  }

  public String sql() {
    return sql;
  }

  public String jsonName() {
    return jsonName;
  }

  public boolean isArithmetic() {
    return this == ADD || this == SUB || this == MUL || this == DIV || this == MOD;
  }

  public boolean isComparison() {
    return this == EQ || this == NE || this == LT || this == LE || this == GT || this == GE;
  }

  public boolean isLogical() {
    return this == AND || this == OR;
  }
}
