package dev.strata.dsl.expr;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * Prints canonical SQL. Parentheses appear only where the parser would otherwise build a
 * different tree, plus around nested comparisons ({@code (a = b) IS NULL}) for readability.
 * Printing then parsing gives an equal tree; see {@link Literal} for how NULLs print.
 */
final class SqlPrinter implements ExprVisitor<String> {
  private static final SqlPrinter INSTANCE = new SqlPrinter();
  private static final int PRIMARY = 9;

  static String print(TypedExpr e) {
    return e.accept(INSTANCE);
  }

  /** The binding power of the node's outermost operator (see {@link Parser}). */
  private static int precedence(TypedExpr e) {
    if (e instanceof Binary b) {
      switch (b.op()) {
        case OR:
          return Parser.OR;
        case AND:
          return Parser.AND;
        case CONCAT:
          return Parser.CONCAT;
        case ADD:
        case SUB:
          return Parser.ADDITIVE;
        case MUL:
        case DIV:
        case MOD:
          return Parser.MULTIPLICATIVE;
        default:
          return Parser.COMPARISON;
      }
    } else if (e instanceof Unary u) {
      switch (u.op()) {
        case NOT:
          return Parser.NOT;
        case NEGATE:
          return Parser.UNARY;
        default:
          return Parser.COMPARISON;
      }
    } else if (e instanceof InList || e instanceof Between || e instanceof Like) {
      return Parser.COMPARISON;
    }
    return PRIMARY;
  }

  /**
   * An operand: parenthesised when it binds looser than {@code power}, or as tightly on the
   * right of a left-associative operator. Comparisons never chain unparenthesised.
   */
  private static String operand(TypedExpr e, int power, boolean right) {
    int p = precedence(e);
    boolean parens = p < power || (p == power && (right || power == Parser.COMPARISON));
    String sql = print(e);
    return parens ? "(" + sql + ")" : sql;
  }

  @Override
  public String literal(Literal l) {
    Object v = l.value();
    DataType type = l.type();
    if (v == null) {
      return type == DataType.BOOLEAN ? "NULL" : "CAST(NULL AS " + typeName(type) + ")";
    } else if (type == DataType.STRING) {
      return quote((String) v);
    } else if (type == DataType.BOOLEAN) {
      return (Boolean) v ? "TRUE" : "FALSE";
    } else if (type == DataType.TIMESTAMP) {
      return "TIMESTAMP '" + Durations.formatInstant((Long) v) + "'";
    } else if (type == DataType.DOUBLE) {
      double d = (Double) v;
      // The parser makes no NaN or infinite literals, but plans built in code may hold them.
      if (Double.isNaN(d) || Double.isInfinite(d)) {
        return "CAST('" + d + "' AS DOUBLE)";
      }
      return Values.doubleLiteral(d);
    }
    return v.toString();
  }

  static String quote(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  static String typeName(DataType type) {
    return type.sqlName().toUpperCase(Locale.ROOT);
  }

  @Override
  public String column(ColumnRef c) {
    return Names.quoteColumn(c.name());
  }

  @Override
  public String unary(Unary u) {
    switch (u.op()) {
      case NOT:
        return "NOT " + operand(u.arg(), Parser.NOT, false);
      case NEGATE:
        // -(5) stays a negation: a minus directly before a number is read as a negative literal.
        TypedExpr arg = u.arg();
        boolean bare = arg instanceof ColumnRef || arg instanceof Call || arg instanceof Cast
            || arg instanceof CaseWhen || (arg instanceof Literal l && !l.type().isNumeric());
        return bare ? "-" + print(arg) : "-(" + print(arg) + ")";
      case IS_NULL:
        return operand(u.arg(), Parser.COMPARISON, false) + " IS NULL";
      default:
        return operand(u.arg(), Parser.COMPARISON, false) + " IS NOT NULL";
    }
  }

  @Override
  public String binary(Binary b) {
    int p = precedence(b);
    return operand(b.left(), p, false) + " " + b.op().sql() + " " + operand(b.right(), p, true);
  }

  @Override
  public String in(InList in) {
    return operand(in.value(), Parser.COMPARISON, false)
        + (in.negated() ? " NOT IN (" : " IN (")
        + in.list().stream().map(SqlPrinter::print).collect(Collectors.joining(", "))
        + ")";
  }

  @Override
  public String between(Between b) {
    return operand(b.value(), Parser.COMPARISON, false)
        + (b.negated() ? " NOT BETWEEN " : " BETWEEN ")
        + operand(b.low(), Parser.CONCAT, false)
        + " AND "
        + operand(b.high(), Parser.CONCAT, false);
  }

  @Override
  public String like(Like l) {
    return operand(l.value(), Parser.COMPARISON, false)
        + (l.negated() ? " NOT LIKE " : " LIKE ")
        + operand(l.pattern(), Parser.CONCAT, false);
  }

  @Override
  public String caseWhen(CaseWhen c) {
    StringBuilder sb = new StringBuilder("CASE");
    if (c.operand() != null) {
      sb.append(' ').append(print(c.operand()));
    }
    for (CaseWhen.Branch b : c.branches()) {
      sb.append(" WHEN ").append(print(b.when())).append(" THEN ").append(print(b.then()));
    }
    if (c.elseValue() != null) {
      sb.append(" ELSE ").append(print(c.elseValue()));
    }
    return sb.append(" END").toString();
  }

  @Override
  public String cast(Cast c) {
    return "CAST(" + print(c.arg()) + " AS " + typeName(c.type()) + ")";
  }

  @Override
  public String call(Call c) {
    return c.function().sqlName()
        + "("
        + c.args().stream().map(SqlPrinter::print).collect(Collectors.joining(", "))
        + ")";
  }
}
