package dev.strata.dsl.expr;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Pratt parser from tokens to {@link Syntax}. Binding powers follow SQL: OR < AND < NOT <
 * comparison (=, IS, IN, BETWEEN, LIKE) < || < + - < * / % < unary minus. Binary operators are
 * left-associative. Stops at the first syntax error.
 */
final class Parser {
  static final int OR = 1;
  static final int AND = 2;
  static final int NOT = 3;
  static final int COMPARISON = 4;
  static final int CONCAT = 5;
  static final int ADDITIVE = 6;
  static final int MULTIPLICATIVE = 7;
  static final int UNARY = 8;

  /**
   * Most levels of operators and calls in one expression (a chain {@code a OR b OR c} is two
   * levels): deeper text is surely a mistake, and would overflow the stack of the recursive
   * passes (type checking, printing, evaluation).
   */
  static final int MAX_DEPTH = 200;

  /** Most columns and constants in one expression: a long IN list fits, a runaway text does not. */
  static final int MAX_TERMS = 10_000;

  private final List<Token> tokens;
  private int pos = 0;
  private int nesting = 0;
  private int terms = 0;
  /** The depth of each operator node made so far (a term has depth 0), to refuse depth as it grows. */
  private final Map<Syntax, Integer> depths = new IdentityHashMap<>();

  private Parser(List<Token> tokens) {
    this.tokens = tokens;
  }

  static Syntax parse(String text) {
    Parser p = new Parser(Lexer.tokenize(text));
    Syntax result = p.expression(OR);
    if (!p.peek().is(Token.Kind.EOF)) {
      throw p.expected("an operator or the end of the expression");
    }
    return result;
  }

  /** Records an operator node's depth; refuses it beyond {@link #MAX_DEPTH}, where its operator is. */
  private Syntax nested(Syntax s) {
    int depth = 0;
    for (Syntax child : children(s)) {
      depth = Math.max(depth, depths.getOrDefault(child, 0));
    }
    depth++;
    if (depth > MAX_DEPTH) {
      int[] at = operatorSpan(s);
      throw new SyntaxError(at[0], at[1] - at[0], "expression is nested too deeply; at most " + MAX_DEPTH + " levels are allowed");
    }
    depths.put(s, depth);
    return s;
  }

  /** Counts a column or constant; refuses more than {@link #MAX_TERMS}. */
  private Syntax term(Syntax s) {
    if (++terms > MAX_TERMS) {
      throw new SyntaxError(s.start(), s.end() - s.start(), "expression is too long; at most " + MAX_TERMS
          + " columns and constants are allowed");
    }
    return s;
  }

  /** Where a node's own operator is written (its start, end), without walking down its operands. */
  private static int[] operatorSpan(Syntax s) {
    if (s instanceof Syntax.Op2 b) {
      return new int[] {b.opStart(), b.opEnd()};
    } else if (s instanceof Syntax.Op1 u) {
      return new int[] {u.opStart(), u.opEnd()};
    } else if (s instanceof Syntax.InOp in) {
      return new int[] {in.opStart(), in.opEnd()};
    } else if (s instanceof Syntax.BetweenOp b) {
      return new int[] {b.opStart(), b.opEnd()};
    } else if (s instanceof Syntax.LikeOp l) {
      return new int[] {l.opStart(), l.opEnd()};
    } else if (s instanceof Syntax.CallOp c) {
      return new int[] {c.start(), c.nameEnd()};
    } else if (s instanceof Syntax.CastOp c) {
      return new int[] {c.start(), c.end()};
    }
    return new int[] {s.start(), s.end()}; // CaseOp: its own start and end
  }

  private static List<Syntax> children(Syntax s) {
    List<Syntax> out = new ArrayList<>();
    if (s instanceof Syntax.Op1 u) {
      out.add(u.arg());
    } else if (s instanceof Syntax.Op2 b) {
      out.add(b.left());
      out.add(b.right());
    } else if (s instanceof Syntax.InOp in) {
      out.add(in.value());
      out.addAll(in.list());
    } else if (s instanceof Syntax.BetweenOp b) {
      out.add(b.value());
      out.add(b.low());
      out.add(b.high());
    } else if (s instanceof Syntax.LikeOp l) {
      out.add(l.value());
      out.add(l.pattern());
    } else if (s instanceof Syntax.CaseOp c) {
      if (c.operand() != null) {
        out.add(c.operand());
      }
      out.addAll(c.whens());
      out.addAll(c.thens());
      if (c.orElse() != null) {
        out.add(c.orElse());
      }
    } else if (s instanceof Syntax.CastOp c) {
      out.add(c.arg());
    } else if (s instanceof Syntax.CallOp c) {
      out.addAll(c.args());
    }
    return out;
  }

  private Token peek() {
    return tokens.get(pos);
  }

  private Token peekAt(int ahead) {
    return tokens.get(Math.min(pos + ahead, tokens.size() - 1));
  }

  private Token advance() {
    Token t = tokens.get(pos);
    if (!t.is(Token.Kind.EOF)) {
      pos++;
    }
    return t;
  }

  private boolean acceptKeyword(String keyword) {
    if (peek().isKeyword(keyword)) {
      pos++;
      return true;
    }
    return false;
  }

  private Token expectKeyword(String keyword) {
    if (!peek().isKeyword(keyword)) {
      throw expected(keyword);
    }
    return advance();
  }

  private Token expect(Token.Kind kind, String what) {
    if (!peek().is(kind)) {
      throw expected(what);
    }
    return advance();
  }

  private SyntaxError expected(String what) {
    Token t = peek();
    return new SyntaxError(t.start(), t.length(), "expected " + what + " but found " + t.describe());
  }

  Syntax expression(int minPower) {
    if (++nesting > MAX_DEPTH) {
      Token t = peek();
      throw new SyntaxError(t.start(), t.length(), "expression is nested too deeply; at most " + MAX_DEPTH + " levels are allowed");
    }
    Syntax left = prefix();
    while (true) {
      int power = infixPower(peek());
      if (power == 0 || power < minPower) {
        nesting--;
        return left;
      }
      left = infix(left, power);
    }
  }

  private static int infixPower(Token t) {
    switch (t.kind()) {
      case KEYWORD:
        switch (t.value()) {
          case "OR":
            return OR;
          case "AND":
            return AND;
          case "IS":
          case "IN":
          case "BETWEEN":
          case "LIKE":
          case "NOT": // NOT IN, NOT BETWEEN, NOT LIKE
            return COMPARISON;
          default:
            return 0;
        }
      case OPERATOR:
        switch (t.value()) {
          case "||":
            return CONCAT;
          case "+":
          case "-":
            return ADDITIVE;
          case "*":
          case "/":
          case "%":
            return MULTIPLICATIVE;
          default:
            return COMPARISON;
        }
      default:
        return 0;
    }
  }

  private Syntax infix(Syntax left, int power) {
    Token op = advance();
    if (op.is(Token.Kind.OPERATOR)) {
      Syntax right = expression(power + 1);
      return nested(new Syntax.Op2(binaryOp(op.value()), left, right, op.start(), op.end()));
    }
    switch (op.value()) {
      case "OR":
        return nested(new Syntax.Op2(BinaryOp.OR, left, expression(AND), op.start(), op.end()));
      case "AND":
        return nested(new Syntax.Op2(BinaryOp.AND, left, expression(NOT), op.start(), op.end()));
      case "IS":
        boolean not = acceptKeyword("NOT");
        Token nul = expectKeyword("NULL");
        UnaryOp u = not ? UnaryOp.IS_NOT_NULL : UnaryOp.IS_NULL;
        return nested(new Syntax.Op1(u, left, op.start(), nul.end(), left.start(), nul.end()));
      case "NOT":
        Token next = peek();
        if (!next.isKeyword("IN") && !next.isKeyword("BETWEEN") && !next.isKeyword("LIKE")) {
          throw expected("IN, BETWEEN or LIKE after NOT");
        }
        advance();
        return predicate(left, next.value(), true, op.start(), next.end());
      default:
        return predicate(left, op.value(), false, op.start(), op.end());
    }
  }

  private Syntax predicate(Syntax left, String keyword, boolean negated, int opStart, int opEnd) {
    switch (keyword) {
      case "IN":
        expect(Token.Kind.LPAREN, "'(' after IN");
        List<Syntax> list = new ArrayList<>();
        do {
          list.add(expression(OR));
        } while (accept(Token.Kind.COMMA));
        Token close = expect(Token.Kind.RPAREN, "',' or ')'");
        return nested(new Syntax.InOp(left, list, negated, opStart, opEnd, close.end()));
      case "BETWEEN":
        Syntax low = expression(CONCAT);
        expectKeyword("AND");
        Syntax high = expression(CONCAT);
        return nested(new Syntax.BetweenOp(left, low, high, negated, opStart, opEnd));
      default:
        return nested(new Syntax.LikeOp(left, expression(CONCAT), negated, opStart, opEnd));
    }
  }

  private boolean accept(Token.Kind kind) {
    if (peek().is(kind)) {
      pos++;
      return true;
    }
    return false;
  }

  private static BinaryOp binaryOp(String op) {
    switch (op) {
      case "+":
        return BinaryOp.ADD;
      case "-":
        return BinaryOp.SUB;
      case "*":
        return BinaryOp.MUL;
      case "/":
        return BinaryOp.DIV;
      case "%":
        return BinaryOp.MOD;
      case "||":
        return BinaryOp.CONCAT;
      case "=":
        return BinaryOp.EQ;
      case "<>":
        return BinaryOp.NE;
      case "<":
        return BinaryOp.LT;
      case "<=":
        return BinaryOp.LE;
      case ">":
        return BinaryOp.GT;
      case ">=":
        return BinaryOp.GE;
      default:
        throw new IllegalStateException("Cannot parse operator: unknown " + op);
    }
  }

  private Syntax prefix() {
    Token t = peek();
    switch (t.kind()) {
      case INTEGER:
      case DECIMAL:
        advance();
        return number(t, t.start(), false);
      case STRING:
        advance();
        return term(new Syntax.Lit(t.value(), DataType.STRING, t.start(), t.end()));
      case LPAREN:
        advance();
        Syntax inner = expression(OR);
        expect(Token.Kind.RPAREN, "')'");
        return inner;
      case OPERATOR:
        if (t.isOperator("-")) {
          advance();
          Token next = peek();
          // A minus directly before a number is part of the literal, so -9223372036854775808
          // is a bigint and negative constants print and read back as literals.
          if (next.is(Token.Kind.INTEGER) || next.is(Token.Kind.DECIMAL)) {
            advance();
            return number(next, t.start(), true);
          }
          Syntax arg = expression(UNARY);
          return nested(new Syntax.Op1(UnaryOp.NEGATE, arg, t.start(), t.end(), t.start(), arg.end()));
        }
        throw expected("an expression");
      case KEYWORD:
        return keywordPrefix(t);
      case IDENT:
        if (t.isWord("CAST") && peekAt(1).is(Token.Kind.LPAREN)) {
          return cast();
        } else if (t.isWord("TIMESTAMP") && peekAt(1).is(Token.Kind.STRING)) {
          return timestamp();
        } else if (peekAt(1).is(Token.Kind.LPAREN)) {
          return call();
        }
        return column();
      case QUOTED_IDENT:
        return column();
      default:
        throw expected("an expression");
    }
  }

  private Syntax keywordPrefix(Token t) {
    switch (t.value()) {
      case "NOT":
        advance();
        Syntax arg = expression(NOT);
        return nested(new Syntax.Op1(UnaryOp.NOT, arg, t.start(), t.end(), t.start(), arg.end()));
      case "TRUE":
      case "FALSE":
        advance();
        return term(new Syntax.Lit(t.value().equals("TRUE"), DataType.BOOLEAN, t.start(), t.end()));
      case "NULL":
        advance();
        return term(new Syntax.Lit(null, null, t.start(), t.end()));
      case "CASE":
        return caseWhen();
      default:
        throw expected("an expression");
    }
  }

  private Syntax number(Token t, int start, boolean negative) {
    String digits = negative ? "-" + t.text() : t.text();
    if (t.is(Token.Kind.INTEGER)) {
      try {
        return term(new Syntax.Lit(Long.parseLong(digits), DataType.LONG, start, t.end()));
      } catch (NumberFormatException e) {
        throw new SyntaxError(
            start, t.end() - start, "integer " + digits + " is out of range for bigint; write it as a double, e.g. " + digits + ".0");
      }
    }
    double d = Double.parseDouble(digits);
    if (Double.isInfinite(d)) {
      throw new SyntaxError(start, t.end() - start, "number " + digits + " is out of range for double");
    }
    return term(new Syntax.Lit(d, DataType.DOUBLE, start, t.end()));
  }

  private Syntax timestamp() {
    Token keyword = advance();
    Token text = advance();
    try {
      long micros = Durations.parseInstant(text.value());
      return term(new Syntax.Lit(micros, DataType.TIMESTAMP, keyword.start(), text.end()));
    } catch (IllegalArgumentException | ArithmeticException e) {
      throw new SyntaxError(
          text.start(), text.length(),
          "invalid timestamp " + text.text() + "; expected ISO-8601 such as '2001-01-01T00:47:00Z'");
    }
  }

  private Syntax column() {
    Token first = advance();
    StringBuilder name = new StringBuilder(first.value());
    int end = first.end();
    while (peek().is(Token.Kind.DOT)) {
      advance();
      Token part = peek();
      if (part.is(Token.Kind.IDENT) || part.is(Token.Kind.KEYWORD)) {
        name.append('.').append(part.text());
      } else if (part.is(Token.Kind.QUOTED_IDENT)) {
        name.append('.').append(part.value());
      } else {
        throw expected("a name after '.'");
      }
      advance();
      end = part.end();
    }
    return term(new Syntax.Col(name.toString(), first.start(), end));
  }

  private Syntax call() {
    Token name = advance();
    advance(); // (
    List<Syntax> args = new ArrayList<>();
    if (!peek().is(Token.Kind.RPAREN)) {
      do {
        args.add(expression(OR));
      } while (accept(Token.Kind.COMMA));
    }
    Token close = expect(Token.Kind.RPAREN, "',' or ')'");
    return nested(new Syntax.CallOp(name.text(), args, name.start(), name.end(), close.end()));
  }

  private Syntax cast() {
    Token keyword = advance();
    advance(); // (
    Syntax arg = expression(OR);
    expectKeyword("AS");
    Token type = peek();
    if (!type.is(Token.Kind.IDENT)) {
      throw expected("a type such as bigint, double, string, boolean or timestamp");
    }
    advance();
    Token close = expect(Token.Kind.RPAREN, "')'");
    return nested(new Syntax.CastOp(arg, type.text(), type.start(), type.end(), keyword.start(), close.end()));
  }

  private Syntax caseWhen() {
    Token keyword = advance();
    Syntax operand = peek().isKeyword("WHEN") ? null : expression(OR);
    List<Syntax> whens = new ArrayList<>();
    List<Syntax> thens = new ArrayList<>();
    if (!peek().isKeyword("WHEN")) {
      throw expected("WHEN");
    }
    while (acceptKeyword("WHEN")) {
      whens.add(expression(OR));
      expectKeyword("THEN");
      thens.add(expression(OR));
    }
    Syntax orElse = null;
    if (acceptKeyword("ELSE")) {
      orElse = expression(OR);
    } else if (!peek().isKeyword("END")) {
      throw expected("WHEN, ELSE or END");
    }
    Token end = expectKeyword("END");
    return nested(new Syntax.CaseOp(operand, whens, thens, orElse, keyword.start(), end.end()));
  }
}
