package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.List;

/**
 * Types a {@link Syntax} tree against a schema. Collects every error instead of stopping; a
 * subtree with an error checks to null and its parents skip checks that would only repeat it.
 *
 * <p>The keyword NULL has no type of its own: it is a boolean NULL ("unknown") until an operator
 * or sibling gives it one, so {@code x + NULL} is a bigint NULL and {@code COALESCE(s, NULL)} a
 * string NULL. CASE, COALESCE, IF, NULLIF, GREATEST and LEAST of only NULLs are unknown too.
 */
final class TypeChecker {
  private enum Kind {
    NUMBER("a number", DataType.DOUBLE),
    BIGINT("a bigint", DataType.LONG),
    STRING("a string", DataType.STRING),
    BOOLEAN("a boolean", DataType.BOOLEAN),
    TIMESTAMP("a timestamp", DataType.TIMESTAMP);

    private final String description;
    private final DataType forUnknown;

    Kind(String description, DataType forUnknown) {
      this.description = description;
      this.forUnknown = forUnknown;
    }

    boolean accepts(DataType t) {
      return this == NUMBER ? t.isNumeric() : t == forUnknown;
    }
  }

  static final int MAX_ROUND_SCALE = 400;

  private final Schema schema;
  private final List<ExpressionError> errors = new ArrayList<>();

  TypeChecker(Schema schema) {
    this.schema = schema;
  }

  List<ExpressionError> errors() {
    return errors;
  }

  void error(int start, int end, String message) {
    errors.add(new ExpressionError(start, Math.max(0, end - start), message));
  }

  private void error(Syntax at, String message) {
    error(at.start(), at.end(), message);
  }

  // ------------------------------------------------------------------ unknown (untyped NULL)

  static boolean isUnknown(TypedExpr e) {
    if (e.type() != DataType.BOOLEAN) {
      return false;
    }
    if (e instanceof Literal l) {
      return l.isNull();
    } else if (e instanceof CaseWhen c) {
      return c.results().stream().allMatch(TypeChecker::isUnknown);
    } else if (e instanceof Call c) {
      switch (c.function()) {
        case COALESCE:
        case GREATEST:
        case LEAST:
        case NULLIF:
          return c.args().stream().allMatch(TypeChecker::isUnknown);
        case IF:
          return isUnknown(c.args().get(1)) && isUnknown(c.args().get(2));
        default:
          return false;
      }
    }
    return false;
  }

  /** Gives an unknown expression the type its context asks for; other expressions are unchanged. */
  static TypedExpr retype(TypedExpr e, DataType type) {
    if (type == DataType.BOOLEAN || !(type instanceof DataType.Primitive) || !isUnknown(e)) {
      return e;
    }
    if (e instanceof Literal) {
      return Literal.nullOf(type);
    } else if (e instanceof CaseWhen c) {
      List<CaseWhen.Branch> branches =
          c.branches().stream().map(b -> new CaseWhen.Branch(b.when(), retype(b.then(), type))).toList();
      TypedExpr orElse = c.elseValue() == null ? null : retype(c.elseValue(), type);
      return new CaseWhen(c.operand(), branches, orElse, type);
    }
    Call call = (Call) e;
    List<TypedExpr> args = new ArrayList<>(call.args());
    int first = call.function() == BuiltinFunction.IF ? 1 : 0;
    for (int i = first; i < args.size(); i++) {
      args.set(i, retype(args.get(i), type));
    }
    return Call.of(call.function(), args);
  }

  // ------------------------------------------------------------------ nodes

  TypedExpr check(Syntax s) {
    if (s instanceof Syntax.Lit l) {
      return l.type() == null ? Literal.nullOf(DataType.BOOLEAN) : new Literal(l.value(), l.type());
    } else if (s instanceof Syntax.Col c) {
      return column(c);
    } else if (s instanceof Syntax.Op1 u) {
      return unary(u);
    } else if (s instanceof Syntax.Op2 b) {
      return binary(b);
    } else if (s instanceof Syntax.InOp in) {
      return in(in);
    } else if (s instanceof Syntax.BetweenOp b) {
      return between(b);
    } else if (s instanceof Syntax.LikeOp l) {
      return like(l);
    } else if (s instanceof Syntax.CaseOp c) {
      return caseWhen(c);
    } else if (s instanceof Syntax.CastOp c) {
      return cast(c);
    }
    return call((Syntax.CallOp) s);
  }

  private List<TypedExpr> checkAll(List<Syntax> list) {
    List<TypedExpr> out = new ArrayList<>(list.size());
    for (Syntax s : list) {
      out.add(check(s));
    }
    return out;
  }

  private TypedExpr column(Syntax.Col c) {
    int index = schema.indexOf(c.name());
    if (index < 0) {
      error(c, "unknown column '" + c.name() + "'" + Names.hint(c.name(), schema.names(), "available columns"));
      return null;
    }
    Field f = schema.field(index);
    return new ColumnRef(f.name(), f.type());
  }

  private TypedExpr unary(Syntax.Op1 u) {
    TypedExpr arg = check(u.arg());
    if (arg == null) {
      return null;
    }
    switch (u.op()) {
      case NOT:
        return requireBoolean(arg, u.arg(), "NOT") ? new Unary(UnaryOp.NOT, arg) : null;
      case NEGATE:
        arg = retype(arg, DataType.LONG);
        if (!arg.type().isNumeric()) {
          error(u.arg(), "cannot negate " + arg.type() + "; expected a number");
          return null;
        }
        return new Unary(UnaryOp.NEGATE, arg);
      default:
        return new Unary(u.op(), arg);
    }
  }

  private boolean requireBoolean(TypedExpr e, Syntax at, String operator) {
    if (e.type() != DataType.BOOLEAN) {
      error(at, "expected a boolean operand for " + operator + ", got " + e.type());
      return false;
    }
    return true;
  }

  private TypedExpr binary(Syntax.Op2 b) {
    TypedExpr left = check(b.left());
    TypedExpr right = check(b.right());
    BinaryOp op = b.op();
    if (op.isLogical()) {
      boolean ok = left != null && requireBoolean(left, b.left(), op.sql());
      ok &= right != null && requireBoolean(right, b.right(), op.sql());
      return ok ? new Binary(op, left, right) : null;
    }
    if (left == null || right == null) {
      return null;
    }
    if (op.isComparison()) {
      TypedExpr[] pair = comparePair(left, right, b.opStart(), b.opEnd(), op == BinaryOp.EQ || op == BinaryOp.NE, "'" + op.sql() + "'");
      return pair == null ? null : new Binary(op, pair[0], pair[1]);
    }
    if (op == BinaryOp.CONCAT) {
      left = retype(left, DataType.STRING);
      right = retype(right, DataType.STRING);
      if (left.type() != DataType.STRING || right.type() != DataType.STRING) {
        error(b.opStart(), b.opEnd(),
            "cannot apply '||' to " + left.type() + " and " + right.type() + "; it joins strings (use CAST to convert)");
        return null;
      }
      return new Binary(op, left, right);
    }
    // Arithmetic: an unknown operand takes the other's type, bigint when both are unknown.
    if (isUnknown(left) && isUnknown(right)) {
      left = retype(left, DataType.LONG);
      right = retype(right, DataType.LONG);
    } else {
      left = retype(left, right.type().isNumeric() ? right.type() : DataType.LONG);
      right = retype(right, left.type().isNumeric() ? left.type() : DataType.LONG);
    }
    if (!left.type().isNumeric() || !right.type().isNumeric()) {
      error(b.opStart(), b.opEnd(),
          "cannot apply '" + op.sql() + "' to " + left.type() + " and " + right.type() + "; expected numbers");
      return null;
    }
    return new Binary(op, left, right);
  }

  /**
   * Checks that two operands compare (ordered unless {@code equality}); an unknown takes the
   * other's type. Reports at [start, end) and returns null when they do not.
   */
  private TypedExpr[] comparePair(TypedExpr a, TypedExpr b, int start, int end, boolean equality, String what) {
    a = retype(a, b.type());
    b = retype(b, a.type());
    String problem = compareProblem(a.type(), b.type(), equality, what);
    if (problem != null) {
      error(start, end, problem);
      return null;
    }
    return new TypedExpr[] {a, b};
  }

  private static String compareProblem(DataType a, DataType b, boolean equality, String what) {
    if (!Types.comparable(a, b)) {
      String message = "cannot compare " + a + " with " + b;
      if ((a == DataType.TIMESTAMP && b == DataType.STRING) || (a == DataType.STRING && b == DataType.TIMESTAMP)) {
        message += "; write a timestamp as TIMESTAMP '2001-01-01T00:00:00Z'";
      }
      return message;
    }
    if (!equality && !Types.orderable(a, b)) {
      return "cannot order " + a + " values with " + what + "; only = and <> apply";
    }
    return null;
  }

  /** The first known type of a list, or null when all are unknown. */
  private static DataType firstKnown(List<TypedExpr> exprs) {
    for (TypedExpr e : exprs) {
      if (!isUnknown(e)) {
        return e.type();
      }
    }
    return null;
  }

  private TypedExpr in(Syntax.InOp in) {
    TypedExpr value = check(in.value());
    List<TypedExpr> list = checkAll(in.list());
    if (value == null || list.contains(null)) {
      return null;
    }
    List<TypedExpr> all = new ArrayList<>(list);
    all.add(0, value);
    DataType target = firstKnown(all);
    if (target != null) {
      value = retype(value, target);
      list.replaceAll(e -> retype(e, target));
    }
    boolean ok = true;
    for (int i = 0; i < list.size(); i++) {
      String problem = compareProblem(value.type(), list.get(i).type(), true, "IN");
      if (problem != null) {
        error(in.list().get(i), problem);
        ok = false;
      }
    }
    return ok ? new InList(value, list, in.negated()) : null;
  }

  private TypedExpr between(Syntax.BetweenOp b) {
    TypedExpr value = check(b.value());
    TypedExpr low = check(b.low());
    TypedExpr high = check(b.high());
    if (value == null || low == null || high == null) {
      return null;
    }
    DataType target = firstKnown(List.of(value, low, high));
    if (target != null) {
      value = retype(value, target);
      low = retype(low, target);
      high = retype(high, target);
    }
    String lowProblem = compareProblem(value.type(), low.type(), false, "BETWEEN");
    String highProblem = compareProblem(value.type(), high.type(), false, "BETWEEN");
    if (lowProblem != null) {
      error(b.low(), lowProblem);
    }
    if (highProblem != null && !highProblem.equals(lowProblem)) {
      error(b.high(), highProblem);
    }
    return lowProblem == null && highProblem == null ? new Between(value, low, high, b.negated()) : null;
  }

  private TypedExpr like(Syntax.LikeOp l) {
    TypedExpr value = stringOperand(check(l.value()), l.value());
    TypedExpr pattern = stringOperand(check(l.pattern()), l.pattern());
    return value != null && pattern != null ? new Like(value, pattern, l.negated()) : null;
  }

  /** A LIKE operand: a string, or an unknown NULL which becomes a string NULL. */
  private TypedExpr stringOperand(TypedExpr e, Syntax at) {
    if (e == null) {
      return null;
    }
    TypedExpr s = retype(e, DataType.STRING);
    return requireKind(s, at, Kind.STRING, "LIKE") ? s : null;
  }

  private boolean requireKind(TypedExpr e, Syntax at, Kind kind, String where) {
    if (!kind.accepts(e.type())) {
      error(at, "expected " + kind.description + " for " + where + ", got " + e.type());
      return false;
    }
    return true;
  }

  private TypedExpr caseWhen(Syntax.CaseOp c) {
    TypedExpr operand = c.operand() == null ? null : check(c.operand());
    List<TypedExpr> whens = checkAll(c.whens());
    List<TypedExpr> thens = checkAll(c.thens());
    TypedExpr orElse = c.orElse() == null ? null : check(c.orElse());
    boolean ok = (c.operand() == null || operand != null) && !whens.contains(null);
    if (ok && c.operand() == null) {
      for (int i = 0; i < whens.size(); i++) {
        if (whens.get(i).type() != DataType.BOOLEAN) {
          error(c.whens().get(i), "expected a boolean WHEN condition, got " + whens.get(i).type());
          ok = false;
        }
      }
    } else if (ok) {
      List<TypedExpr> all = new ArrayList<>(whens);
      all.add(0, operand);
      DataType target = firstKnown(all);
      if (target != null) {
        operand = retype(operand, target);
        whens.replaceAll(e -> retype(e, target));
      }
      for (int i = 0; i < whens.size(); i++) {
        String problem = compareProblem(operand.type(), whens.get(i).type(), true, "CASE");
        if (problem != null) {
          error(c.whens().get(i), problem);
          ok = false;
        }
      }
    }
    List<Syntax> resultSyntax = new ArrayList<>(c.thens());
    List<TypedExpr> results = new ArrayList<>(thens);
    if (c.orElse() != null) {
      resultSyntax.add(c.orElse());
      results.add(orElse);
    }
    if (results.contains(null)) {
      return null;
    }
    Unified unified = unify(results, resultSyntax, "CASE results");
    if (!ok || unified == null) {
      return null;
    }
    List<CaseWhen.Branch> branches = new ArrayList<>();
    for (int i = 0; i < whens.size(); i++) {
      branches.add(new CaseWhen.Branch(whens.get(i), unified.exprs.get(i)));
    }
    TypedExpr elseValue = c.orElse() == null ? null : unified.exprs.get(whens.size());
    return new CaseWhen(operand, branches, elseValue, unified.type);
  }

  private record Unified(List<TypedExpr> exprs, DataType type) {}

  /** Unifies values that become one result; reports the first that does not fit. */
  private Unified unify(List<TypedExpr> exprs, List<Syntax> syntax, String what) {
    DataType target = null;
    for (int i = 0; i < exprs.size(); i++) {
      TypedExpr e = exprs.get(i);
      if (isUnknown(e)) {
        continue;
      }
      DataType unified = target == null ? e.type() : Types.unify(target, e.type());
      if (unified == null) {
        error(syntax.get(i), "cannot mix " + target + " and " + e.type() + " in " + what);
        return null;
      }
      target = unified;
    }
    if (target == null) {
      return new Unified(exprs, DataType.BOOLEAN);
    }
    DataType t = target;
    return new Unified(exprs.stream().map(e -> retype(e, t)).toList(), t);
  }

  private TypedExpr cast(Syntax.CastOp c) {
    DataType type = DataType.parseOrNull(c.typeName());
    if (!(type instanceof DataType.Primitive)) {
      check(c.arg());
      error(c.typeStart(), c.typeEnd(),
          "unknown type '" + c.typeName() + "'; expected bigint, double, string, boolean or timestamp");
      return null;
    }
    // CAST(NULL AS t) is how a typed NULL is written, so it is a literal, not a conversion.
    if (c.arg() instanceof Syntax.Lit l && l.type() == null) {
      return Literal.nullOf(type);
    }
    TypedExpr arg = check(c.arg());
    if (arg == null) {
      return null;
    }
    if (!Types.canCast(arg.type(), type)) {
      error(c, "cannot cast " + arg.type() + " to " + type);
      return null;
    }
    return new Cast(arg, type);
  }

  // ------------------------------------------------------------------ functions

  private TypedExpr call(Syntax.CallOp c) {
    BuiltinFunction f = BuiltinFunction.lookup(c.name()).orElse(null);
    List<TypedExpr> args = checkAll(c.args());
    if (f == null) {
      error(c.start(), c.nameEnd(),
          "unknown function '" + c.name() + "'" + Names.hint(c.name(), BuiltinFunction.allNames(), "known functions"));
      return null;
    }
    if (!f.acceptsArgCount(args.size())) {
      error(c.start(), c.nameEnd(), f.sqlName() + " expects " + f.arity() + ", got " + args.size());
      return null;
    }
    if (args.contains(null)) {
      return null;
    }
    List<TypedExpr> typed = functionArgs(f, args, c);
    return typed == null ? null : Call.of(f, typed);
  }

  /** Checks and retypes a function's arguments; null after reporting errors. */
  private List<TypedExpr> functionArgs(BuiltinFunction f, List<TypedExpr> args, Syntax.CallOp c) {
    List<Syntax> syntax = c.args();
    switch (f) {
      case COALESCE:
        return unifiedArgs(f, args, syntax);
      case GREATEST:
      case LEAST:
        List<TypedExpr> ordered = unifiedArgs(f, args, syntax);
        if (ordered != null && !ordered.get(0).type().isOrderable()) {
          error(c.start(), c.nameEnd(),
              f.sqlName() + " expects numbers, strings or timestamps, got " + ordered.get(0).type());
          return null;
        }
        return ordered;
      case NULLIF:
        TypedExpr[] pair = comparePair(args.get(0), args.get(1), c.start(), c.end(), true, "NULLIF");
        return pair == null ? null : List.of(pair);
      case IF:
        TypedExpr cond = args.get(0);
        boolean ok = requireArg(f, 0, cond, syntax.get(0), Kind.BOOLEAN) != null;
        Unified values = unify(args.subList(1, 3), syntax.subList(1, 3), "IF results");
        return ok && values != null ? List.of(cond, values.exprs.get(0), values.exprs.get(1)) : null;
      case ROUND:
        TypedExpr x = requireArg(f, 0, args.get(0), syntax.get(0), Kind.NUMBER);
        if (args.size() == 2 && !isIntegerConstant(syntax.get(1), MAX_ROUND_SCALE)) {
          error(syntax.get(1),
              "ROUND expects the number of decimal places as argument 2, an integer constant between -"
                  + MAX_ROUND_SCALE + " and " + MAX_ROUND_SCALE);
          return null;
        }
        return x == null ? null : args.size() == 1 ? List.of(x) : List.of(x, args.get(1));
      case DATE_TRUNC:
        boolean unitOk = syntax.get(0) instanceof Syntax.Lit l
            && l.value() instanceof String unit
            && Values.truncUnit(unit) != null;
        if (!unitOk) {
          error(syntax.get(0), "DATE_TRUNC expects the unit 'day', 'hour' or 'minute' as argument 1");
        }
        TypedExpr ts = requireArg(f, 1, args.get(1), syntax.get(1), Kind.TIMESTAMP);
        return unitOk && ts != null ? List.of(args.get(0), ts) : null;
      default:
        return fixedArgs(f, args, syntax);
    }
  }

  private List<TypedExpr> unifiedArgs(BuiltinFunction f, List<TypedExpr> args, List<Syntax> syntax) {
    Unified u = unify(args, syntax, f.sqlName() + " arguments");
    return u == null ? null : u.exprs;
  }

  private static boolean isIntegerConstant(Syntax s, int maxAbs) {
    return s instanceof Syntax.Lit l && l.value() instanceof Long v && l.type() == DataType.LONG && Math.abs(v) <= maxAbs;
  }

  private List<TypedExpr> fixedArgs(BuiltinFunction f, List<TypedExpr> args, List<Syntax> syntax) {
    List<TypedExpr> out = new ArrayList<>();
    boolean ok = true;
    for (int i = 0; i < args.size(); i++) {
      TypedExpr e = requireArg(f, i, args.get(i), syntax.get(i), paramKind(f, i));
      ok &= e != null;
      out.add(e);
    }
    return ok ? out : null;
  }

  private static Kind paramKind(BuiltinFunction f, int index) {
    switch (f) {
      case ABS:
      case FLOOR:
      case CEIL:
      case SQRT:
      case LN:
      case LOG10:
      case EXP:
      case POWER:
      case SIGN:
      case HAVERSINE:
        return Kind.NUMBER;
      case SUBSTR:
        return index == 0 ? Kind.STRING : Kind.BIGINT;
      case LOWER:
      case UPPER:
      case LENGTH:
      case TRIM:
      case CONCAT:
      case STARTS_WITH:
      case ENDS_WITH:
      case CONTAINS:
        return Kind.STRING;
      case HOUR:
      case MINUTE:
      case DAY_OF_WEEK:
      case DAY_OF_MONTH:
      case MONTH:
      case YEAR:
      case EPOCH_SECONDS:
        return Kind.TIMESTAMP;
      default:
        throw new IllegalStateException("Cannot check " + f + ": no parameter kinds");
    }
  }

  private TypedExpr requireArg(BuiltinFunction f, int index, TypedExpr arg, Syntax at, Kind kind) {
    TypedExpr e = retype(arg, kind.forUnknown);
    if (!kind.accepts(e.type())) {
      String hint = kind == Kind.TIMESTAMP && e.type() == DataType.STRING
          ? "; write a timestamp as TIMESTAMP '2001-01-01T00:00:00Z'"
          : "";
      error(at, f.sqlName() + " expects " + kind.description + " as argument " + (index + 1) + ", got " + e.type() + hint);
      return null;
    }
    return e;
  }
}
