package dev.strata.dsl.expr;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;

/**
 * Turns a typed tree into a tree of evaluators, deciding every type-dependent choice (long or
 * double arithmetic, which comparator) once at bind time rather than per row.
 */
final class Interpreter implements ExprVisitor<Interpreter.Evaluator> {

  /** Evaluates a node on a row; null is SQL NULL. */
  @FunctionalInterface
  interface Evaluator {
    Object eval(Object[] row);
  }

  private final Schema schema;

  Interpreter(Schema schema) {
    this.schema = schema;
  }

  private Evaluator build(TypedExpr e) {
    return e.accept(this);
  }

  private List<Evaluator> buildAll(List<TypedExpr> list) {
    List<Evaluator> out = new ArrayList<>(list.size());
    list.forEach(e -> out.add(build(e)));
    return out;
  }

  @Override
  public Evaluator literal(Literal l) {
    Object v = l.value();
    return row -> v;
  }

  @Override
  public Evaluator column(ColumnRef c) {
    int index = schema.indexOf(c.name());
    if (index < 0) {
      throw new IllegalArgumentException(
          "Cannot bind expression: unknown column '" + c.name() + "' in " + schema);
    }
    DataType actual = schema.field(index).type();
    if (!actual.equals(c.type())) {
      throw new IllegalArgumentException(
          "Cannot bind expression: column '" + c.name() + "' is " + c.type() + " in the expression but "
              + actual + " in the schema");
    }
    // Accept Integer and Float from lenient readers; everything else must already be the
    // documented representation.
    if (actual == DataType.LONG) {
      return row -> row[index] instanceof Integer i ? Long.valueOf(i) : row[index];
    } else if (actual == DataType.DOUBLE) {
      return row -> row[index] instanceof Float f ? Double.valueOf(f) : row[index];
    }
    return row -> row[index];
  }

  @Override
  public Evaluator unary(Unary u) {
    Evaluator arg = build(u.arg());
    switch (u.op()) {
      case NOT:
        return row -> {
          Boolean v = (Boolean) arg.eval(row);
          return v == null ? null : !v;
        };
      case NEGATE:
        if (u.type() == DataType.LONG) {
          return row -> {
            Long v = (Long) arg.eval(row);
            return v == null ? null : -v; // wraps: -MIN_VALUE is MIN_VALUE
          };
        }
        return row -> {
          Double v = (Double) arg.eval(row);
          return v == null ? null : -v;
        };
      case IS_NULL:
        return row -> arg.eval(row) == null;
      default:
        return row -> arg.eval(row) != null;
    }
  }

  @Override
  public Evaluator binary(Binary b) {
    Evaluator left = build(b.left());
    Evaluator right = build(b.right());
    BinaryOp op = b.op();
    if (op == BinaryOp.AND) {
      return row -> and((Boolean) left.eval(row), right, row);
    } else if (op == BinaryOp.OR) {
      return row -> or((Boolean) left.eval(row), right, row);
    } else if (op == BinaryOp.CONCAT) {
      return row -> {
        Object l = left.eval(row);
        Object r = l == null ? null : right.eval(row);
        return r == null ? null : (String) l + r;
      };
    } else if (op.isComparison()) {
      Comparator<Object> cmp = Values.comparator(b.left().type(), b.right().type());
      return row -> {
        Object l = left.eval(row);
        Object r = l == null ? null : right.eval(row);
        return r == null ? null : test(op, cmp.compare(l, r));
      };
    } else if (b.type() == DataType.LONG) {
      return row -> {
        Long l = (Long) left.eval(row);
        Long r = l == null ? null : (Long) right.eval(row);
        return r == null ? null : longArithmetic(op, l, r);
      };
    }
    return row -> {
      Object l = left.eval(row);
      Object r = l == null ? null : right.eval(row);
      return r == null ? null : doubleArithmetic(op, Values.toDouble(l), Values.toDouble(r));
    };
  }

  /** Three-valued AND: FALSE wins over NULL. */
  private static Boolean and(Boolean l, Evaluator right, Object[] row) {
    if (Boolean.FALSE.equals(l)) {
      return false;
    }
    Boolean r = (Boolean) right.eval(row);
    if (Boolean.FALSE.equals(r)) {
      return false;
    }
    return l == null || r == null ? null : Boolean.TRUE;
  }

  /** Three-valued OR: TRUE wins over NULL. */
  private static Boolean or(Boolean l, Evaluator right, Object[] row) {
    if (Boolean.TRUE.equals(l)) {
      return true;
    }
    Boolean r = (Boolean) right.eval(row);
    if (Boolean.TRUE.equals(r)) {
      return true;
    }
    return l == null || r == null ? null : Boolean.FALSE;
  }

  private static boolean test(BinaryOp op, int c) {
    switch (op) {
      case EQ:
        return c == 0;
      case NE:
        return c != 0;
      case LT:
        return c < 0;
      case LE:
        return c <= 0;
      case GT:
        return c > 0;
      default:
        return c >= 0;
    }
  }

  /** Wrapping long arithmetic (Java and Spark non-ANSI); modulo by zero is NULL. */
  private static Long longArithmetic(BinaryOp op, long l, long r) {
    switch (op) {
      case ADD:
        return l + r;
      case SUB:
        return l - r;
      case MUL:
        return l * r;
      default:
        return r == 0 ? null : l % r; // MOD; DIV is always double
    }
  }

  /** Double arithmetic; division and modulo by zero (either sign) are NULL, as in Spark. */
  private static Double doubleArithmetic(BinaryOp op, double l, double r) {
    switch (op) {
      case ADD:
        return l + r;
      case SUB:
        return l - r;
      case MUL:
        return l * r;
      case DIV:
        return r == 0.0 ? null : l / r;
      default:
        return r == 0.0 ? null : l % r;
    }
  }

  @Override
  public Evaluator in(InList in) {
    Evaluator value = build(in.value());
    List<Evaluator> list = buildAll(in.list());
    List<Comparator<Object>> cmps = new ArrayList<>();
    in.list().forEach(e -> cmps.add(Values.comparator(in.value().type(), e.type())));
    boolean negated = in.negated();
    return row -> {
      Object v = value.eval(row);
      if (v == null) {
        return null;
      }
      boolean sawNull = false;
      for (int i = 0; i < list.size(); i++) {
        Object e = list.get(i).eval(row);
        if (e == null) {
          sawNull = true;
        } else if (cmps.get(i).compare(v, e) == 0) {
          return !negated;
        }
      }
      // No match: unknown if some element was NULL (it might have matched).
      return sawNull ? null : negated;
    };
  }

  @Override
  public Evaluator between(Between b) {
    Evaluator value = build(b.value());
    Evaluator low = build(b.low());
    Evaluator high = build(b.high());
    Comparator<Object> lowCmp = Values.comparator(b.value().type(), b.low().type());
    Comparator<Object> highCmp = Values.comparator(b.value().type(), b.high().type());
    boolean negated = b.negated();
    return row -> {
      Object v = value.eval(row);
      if (v == null) {
        return null;
      }
      Object lo = low.eval(row);
      Object hi = high.eval(row);
      Boolean aboveLow = lo == null ? null : lowCmp.compare(v, lo) >= 0;
      Boolean belowHigh = hi == null ? null : highCmp.compare(v, hi) <= 0;
      Boolean in = and(aboveLow, r -> belowHigh, row);
      return in == null ? null : in != negated;
    };
  }

  @Override
  public Evaluator like(Like l) {
    Evaluator value = build(l.value());
    boolean negated = l.negated();
    if (l.pattern() instanceof Literal p) {
      if (p.isNull()) {
        return row -> null;
      }
      Pattern compiled = Values.likePattern((String) p.value());
      return row -> {
        String s = (String) value.eval(row);
        return s == null ? null : compiled.matcher(s).matches() != negated;
      };
    }
    Evaluator pattern = build(l.pattern());
    // Patterns from columns usually repeat: keep the last one compiled. One immutable holder in
    // a volatile field keeps this safe across threads.
    AtomicReference<CompiledLike> last = new AtomicReference<>(new CompiledLike("", Values.likePattern("")));
    return row -> {
      String s = (String) value.eval(row);
      String p = s == null ? null : (String) pattern.eval(row);
      if (p == null) {
        return null;
      }
      CompiledLike compiled = last.get();
      if (!compiled.text().equals(p)) {
        compiled = new CompiledLike(p, Values.likePattern(p));
        last.set(compiled);
      }
      return compiled.pattern().matcher(s).matches() != negated;
    };
  }

  private record CompiledLike(String text, Pattern pattern) {}

  @Override
  public Evaluator caseWhen(CaseWhen c) {
    int n = c.branches().size();
    Evaluator[] whens = new Evaluator[n];
    Evaluator[] thens = new Evaluator[n];
    for (int i = 0; i < n; i++) {
      whens[i] = build(c.branches().get(i).when());
      thens[i] = widening(c.branches().get(i).then(), c.type());
    }
    Evaluator orElse = c.elseValue() == null ? row -> null : widening(c.elseValue(), c.type());
    if (c.operand() == null) {
      return row -> {
        for (int i = 0; i < n; i++) {
          if (Boolean.TRUE.equals(whens[i].eval(row))) {
            return thens[i].eval(row);
          }
        }
        return orElse.eval(row);
      };
    }
    Evaluator operand = build(c.operand());
    List<Comparator<Object>> cmps = new ArrayList<>();
    c.branches().forEach(b -> cmps.add(Values.comparator(c.operand().type(), b.when().type())));
    return row -> {
      Object v = operand.eval(row);
      if (v != null) {
        for (int i = 0; i < n; i++) {
          Object w = whens[i].eval(row);
          if (w != null && cmps.get(i).compare(v, w) == 0) {
            return thens[i].eval(row);
          }
        }
      }
      return orElse.eval(row);
    };
  }

  /** Evaluates {@code e} and converts bigint to double when {@code type} is double. */
  private Evaluator widening(TypedExpr e, DataType type) {
    Evaluator ev = build(e);
    if (type == DataType.DOUBLE && e.type() == DataType.LONG) {
      return row -> {
        Object v = ev.eval(row);
        return v == null ? null : ((Long) v).doubleValue();
      };
    }
    return ev;
  }

  @Override
  public Evaluator cast(Cast c) {
    Evaluator arg = build(c.arg());
    DataType from = c.arg().type();
    DataType to = c.type();
    return row -> Values.cast(arg.eval(row), from, to);
  }

  // ------------------------------------------------------------------ functions

  @Override
  public Evaluator call(Call c) {
    List<TypedExpr> args = c.args();
    switch (c.function()) {
      case COALESCE:
        return coalesce(c);
      case NULLIF:
        return nullIf(c);
      case IF:
        Evaluator cond = build(args.get(0));
        Evaluator then = widening(args.get(1), c.type());
        Evaluator orElse = widening(args.get(2), c.type());
        return row -> Boolean.TRUE.equals(cond.eval(row)) ? then.eval(row) : orElse.eval(row);
      case GREATEST:
        return extreme(c, 1);
      case LEAST:
        return extreme(c, -1);
      case ROUND:
        return round(c);
      case DATE_TRUNC:
        Evaluator unit = build(args.get(0));
        Evaluator ts = build(args.get(1));
        return row -> {
          String u = (String) unit.eval(row);
          Long t = u == null ? null : (Long) ts.eval(row);
          Long step = t == null ? null : Values.truncUnit(u);
          return step == null ? null : Durations.floor(t, step);
        };
      case CONCAT:
        List<Evaluator> parts = buildAll(args);
        return row -> {
          StringBuilder sb = new StringBuilder();
          for (Evaluator p : parts) {
            Object v = p.eval(row);
            if (v == null) {
              return null;
            }
            sb.append((String) v);
          }
          return sb.toString();
        };
      case SUBSTR:
        Evaluator s = build(args.get(0));
        Evaluator pos = build(args.get(1));
        Evaluator len = args.size() == 3 ? build(args.get(2)) : row -> Long.MAX_VALUE;
        return row -> {
          String str = (String) s.eval(row);
          Long p = str == null ? null : (Long) pos.eval(row);
          Long n = p == null ? null : (Long) len.eval(row);
          return n == null ? null : Values.substr(str, p, n);
        };
      default:
        return strict(c);
    }
  }

  private Evaluator coalesce(Call c) {
    List<Evaluator> args = new ArrayList<>();
    c.args().forEach(a -> args.add(widening(a, c.type())));
    return row -> {
      for (Evaluator a : args) {
        Object v = a.eval(row);
        if (v != null) {
          return v;
        }
      }
      return null;
    };
  }

  private Evaluator nullIf(Call c) {
    Evaluator a = build(c.args().get(0));
    Evaluator b = build(c.args().get(1));
    Comparator<Object> cmp = Values.comparator(c.args().get(0).type(), c.args().get(1).type());
    return row -> {
      Object x = a.eval(row);
      if (x == null) {
        return null;
      }
      Object y = b.eval(row);
      return y != null && cmp.compare(x, y) == 0 ? null : x;
    };
  }

  /** GREATEST (sign 1) or LEAST (sign -1): NULLs are skipped, NULL only when all are NULL. */
  private Evaluator extreme(Call c, int sign) {
    List<Evaluator> args = new ArrayList<>();
    c.args().forEach(a -> args.add(widening(a, c.type())));
    Comparator<Object> cmp = Values.comparator(c.type(), c.type());
    return row -> {
      Object best = null;
      for (Evaluator a : args) {
        Object v = a.eval(row);
        if (v != null && (best == null || sign * cmp.compare(v, best) > 0)) {
          best = v;
        }
      }
      return best;
    };
  }

  private Evaluator round(Call c) {
    Evaluator x = build(c.args().get(0));
    Evaluator scale = c.args().size() == 2 ? build(c.args().get(1)) : row -> 0L;
    boolean isLong = c.type() == DataType.LONG;
    return row -> {
      Object v = x.eval(row);
      Long d = v == null ? null : (Long) scale.eval(row);
      if (d == null) {
        return null;
      }
      int places = (int) Math.max(-TypeChecker.MAX_ROUND_SCALE, Math.min(TypeChecker.MAX_ROUND_SCALE, d));
      return isLong ? (Object) Values.round((Long) v, places) : (Object) Values.round((Double) v, places);
    };
  }

  /** Functions that return NULL when any argument is NULL. */
  private Evaluator strict(Call c) {
    List<Evaluator> args = buildAll(c.args());
    Fn fn = strictFunction(c);
    int n = args.size();
    return row -> {
      Object[] values = new Object[n];
      for (int i = 0; i < n; i++) {
        Object v = args.get(i).eval(row);
        if (v == null) {
          return null;
        }
        values[i] = v;
      }
      return fn.apply(values);
    };
  }

  @FunctionalInterface
  private interface Fn {
    Object apply(Object[] args);
  }

  private static Fn strictFunction(Call c) {
    boolean isLong = !c.args().isEmpty() && c.args().get(0).type() == DataType.LONG;
    switch (c.function()) {
      case ABS:
        return isLong ? a -> Math.abs((Long) a[0]) : a -> Math.abs((Double) a[0]);
      case FLOOR:
        return isLong ? a -> a[0] : a -> (long) Math.floor((Double) a[0]);
      case CEIL:
        return isLong ? a -> a[0] : a -> (long) Math.ceil((Double) a[0]);
      case SQRT:
        return a -> Math.sqrt(Values.toDouble(a[0]));
      case LN:
        // Spark: the logarithm of zero or a negative number is NULL, not -Infinity or NaN.
        return a -> Values.toDouble(a[0]) <= 0 ? null : Math.log(Values.toDouble(a[0]));
      case LOG10:
        return a -> Values.toDouble(a[0]) <= 0 ? null : Math.log10(Values.toDouble(a[0]));
      case EXP:
        return a -> Math.exp(Values.toDouble(a[0]));
      case POWER:
        return a -> Math.pow(Values.toDouble(a[0]), Values.toDouble(a[1]));
      case SIGN:
        return a -> Math.signum(Values.toDouble(a[0]));
      case HAVERSINE:
        return a -> Values.haversineKm(Values.toDouble(a[0]), Values.toDouble(a[1]), Values.toDouble(a[2]), Values.toDouble(a[3]));
      case LOWER:
        return a -> ((String) a[0]).toLowerCase(Locale.ROOT);
      case UPPER:
        return a -> ((String) a[0]).toUpperCase(Locale.ROOT);
      case LENGTH:
        return a -> (long) ((String) a[0]).codePointCount(0, ((String) a[0]).length());
      case TRIM:
        return a -> Values.trim((String) a[0]);
      case STARTS_WITH:
        return a -> ((String) a[0]).startsWith((String) a[1]);
      case ENDS_WITH:
        return a -> ((String) a[0]).endsWith((String) a[1]);
      case CONTAINS:
        return a -> ((String) a[0]).contains((String) a[1]);
      case HOUR:
        return a -> Math.floorMod((Long) a[0], Durations.DAY) / Durations.HOUR;
      case MINUTE:
        return a -> Math.floorMod((Long) a[0], Durations.HOUR) / Durations.MINUTE;
      case DAY_OF_WEEK:
        // 1970-01-01 was a Thursday (4 with Monday = 1).
        return a -> Math.floorMod(Math.floorDiv((Long) a[0], Durations.DAY) + 3, 7L) + 1;
      case DAY_OF_MONTH:
        return a -> (long) date((Long) a[0]).getDayOfMonth();
      case MONTH:
        return a -> (long) date((Long) a[0]).getMonthValue();
      case YEAR:
        return a -> (long) date((Long) a[0]).getYear();
      case EPOCH_SECONDS:
        return a -> Math.floorDiv((Long) a[0], Durations.SECOND);
      default:
        throw new IllegalStateException("Cannot evaluate " + c.function() + ": not a strict function");
    }
  }

  private static LocalDate date(long micros) {
    return LocalDate.ofEpochDay(Math.floorDiv(micros, Durations.DAY));
  }
}
