package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random well-typed trees, built type-first with the same factories the checker uses, in the
 * canonical shape the checker produces (no CAST of an untyped NULL, constant ROUND scales and
 * DATE_TRUNC units).
 */
final class ExprGen {
  static final Schema SCHEMA =
      Schema.builder()
          .add("delay", DataType.LONG)
          .add("n.count", DataType.LONG)
          .add("cast", DataType.LONG)
          .add("ratio", DataType.DOUBLE)
          .add("a b", DataType.DOUBLE)
          .add("origin", DataType.STRING)
          .add("x`y", DataType.STRING)
          .add("flag", DataType.BOOLEAN)
          .add("end", DataType.BOOLEAN)
          .add("date", DataType.TIMESTAMP)
          .add("grp.when", DataType.TIMESTAMP)
          .add("timestamp", DataType.TIMESTAMP)
          .add("tags", DataType.listOf(DataType.STRING))
          .build();

  private static final DataType[] PRIMITIVES = {
    DataType.LONG, DataType.DOUBLE, DataType.STRING, DataType.BOOLEAN, DataType.TIMESTAMP
  };
  private static final DataType[] ORDERABLE = {DataType.LONG, DataType.DOUBLE, DataType.STRING, DataType.TIMESTAMP};
  private static final String[] STRINGS = {"", "a", "it's", "S%", "_x_", "\\", "`q`", "😀", "line\nbreak", "SFO", "''"};

  private final Random random;

  ExprGen(long seed) {
    this.random = new Random(seed);
  }

  private boolean chance(int oneIn) {
    return random.nextInt(oneIn) == 0;
  }

  private <T> T pick(T[] items) {
    return items[random.nextInt(items.length)];
  }

  DataType anyType() {
    return pick(PRIMITIVES);
  }

  private DataType numeric() {
    return random.nextBoolean() ? DataType.LONG : DataType.DOUBLE;
  }

  /** A type whose values compare with {@code t}'s. */
  private DataType comparableWith(DataType t) {
    return t.isNumeric() ? numeric() : t;
  }

  TypedExpr gen(DataType t, int depth) {
    if (depth <= 0 || chance(5)) {
      return leaf(t);
    }
    int d = depth - 1;
    switch (random.nextInt(6)) {
      case 0:
        return conditional(t, d);
      case 1:
        return castTo(t, d);
      default:
        break;
    }
    if (t == DataType.LONG) {
      return genLong(d);
    } else if (t == DataType.DOUBLE) {
      return genDouble(d);
    } else if (t == DataType.STRING) {
      return genString(d);
    } else if (t == DataType.BOOLEAN) {
      return genBoolean(d);
    }
    return genTimestamp(d);
  }

  Literal literal(DataType t) {
    if (chance(8)) {
      return Literal.nullOf(t);
    }
    if (t == DataType.LONG) {
      switch (random.nextInt(4)) {
        case 0:
          return Literal.of(pick(new Long[] {0L, -1L, Long.MIN_VALUE, Long.MAX_VALUE}));
        default:
          return Literal.of((long) random.nextInt(2001) - 1000);
      }
    } else if (t == DataType.DOUBLE) {
      switch (random.nextInt(4)) {
        case 0:
          return Literal.of(pick(new Double[] {0.0, -0.0, 1e300, -4.9e-324, 0.1, 1e-7, 123456789.0}));
        case 1:
          return Literal.of(random.nextGaussian() * Math.pow(10, random.nextInt(40) - 20));
        default:
          return Literal.of(random.nextInt(2001) / 8.0 - 125);
      }
    } else if (t == DataType.STRING) {
      return Literal.of(pick(STRINGS));
    } else if (t == DataType.BOOLEAN) {
      return Literal.of(random.nextBoolean());
    }
    // Years 1 to 9999, any microsecond.
    long min = -62_135_596_800_000_000L;
    long max = 253_402_300_799_999_999L;
    return Literal.timestamp(min + (long) (random.nextDouble() * (max - min)));
  }

  private TypedExpr leaf(DataType t) {
    List<Field> columns = new ArrayList<>();
    for (Field f : SCHEMA.fields()) {
      if (f.type().equals(t)) {
        columns.add(f);
      }
    }
    if (!columns.isEmpty() && random.nextBoolean()) {
      Field f = columns.get(random.nextInt(columns.size()));
      return new ColumnRef(f.name(), f.type());
    }
    return literal(t);
  }

  /** CASE, COALESCE, IF, NULLIF, GREATEST, LEAST of type {@code t}. */
  private TypedExpr conditional(DataType t, int d) {
    switch (random.nextInt(5)) {
      case 0:
        return caseWhen(t, d);
      case 1:
        return Call.of(BuiltinFunction.COALESCE, values(t, d, 1 + random.nextInt(3)));
      case 2:
        List<TypedExpr> branches = values(t, d, 2);
        return Call.of(BuiltinFunction.IF, gen(DataType.BOOLEAN, d), branches.get(0), branches.get(1));
      case 3:
        return Call.of(BuiltinFunction.NULLIF, gen(t, d), gen(comparableWith(t), d));
      default:
        if (t == DataType.BOOLEAN) {
          return caseWhen(t, d);
        }
        BuiltinFunction f = random.nextBoolean() ? BuiltinFunction.GREATEST : BuiltinFunction.LEAST;
        return Call.of(f, values(t, d, 2 + random.nextInt(2)));
    }
  }

  /** n values that unify to exactly {@code t}: the first is {@code t}, the rest may be bigint for double. */
  private List<TypedExpr> values(DataType t, int d, int n) {
    List<TypedExpr> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(gen(i == 0 || t != DataType.DOUBLE ? t : numeric(), d));
    }
    java.util.Collections.shuffle(out, random);
    return out;
  }

  private TypedExpr caseWhen(DataType t, int d) {
    int n = 1 + random.nextInt(3);
    boolean hasElse = random.nextBoolean();
    List<TypedExpr> results = values(t, d, n + (hasElse ? 1 : 0));
    TypedExpr operand = null;
    DataType operandType = null;
    if (random.nextBoolean()) {
      operandType = anyType();
      operand = gen(operandType, d);
    }
    List<CaseWhen.Branch> branches = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      TypedExpr when = operand == null ? gen(DataType.BOOLEAN, d) : gen(comparableWith(operandType), d);
      branches.add(new CaseWhen.Branch(when, results.get(i)));
    }
    TypedExpr orElse = hasElse ? results.get(n) : null;
    return CaseWhen.of(operand, branches, orElse);
  }

  private TypedExpr castTo(DataType t, int d) {
    DataType from;
    do {
      from = anyType();
    } while (!Types.canCast(from, t));
    TypedExpr arg = gen(from, d);
    if (arg instanceof Literal l && l.isNull() && l.type() == DataType.BOOLEAN) {
      // CAST(NULL AS t) reads back as a typed NULL literal, not as a cast.
      return Literal.nullOf(t);
    }
    return new Cast(arg, t);
  }

  private TypedExpr genLong(int d) {
    switch (random.nextInt(6)) {
      case 0:
        return new Binary(pick(new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MOD}),
            gen(DataType.LONG, d), gen(DataType.LONG, d));
      case 1:
        return new Unary(UnaryOp.NEGATE, gen(DataType.LONG, d));
      case 2:
        BuiltinFunction f = pick(new BuiltinFunction[] {BuiltinFunction.FLOOR, BuiltinFunction.CEIL});
        return Call.of(f, gen(numeric(), d));
      case 3:
        return random.nextBoolean()
            ? Call.of(BuiltinFunction.ABS, gen(DataType.LONG, d))
            : Call.of(BuiltinFunction.ROUND, gen(DataType.LONG, d), Literal.of((long) random.nextInt(9) - 4));
      case 4:
        return Call.of(BuiltinFunction.LENGTH, gen(DataType.STRING, d));
      default:
        BuiltinFunction tf = pick(new BuiltinFunction[] {
          BuiltinFunction.HOUR, BuiltinFunction.MINUTE, BuiltinFunction.DAY_OF_WEEK, BuiltinFunction.DAY_OF_MONTH,
          BuiltinFunction.MONTH, BuiltinFunction.YEAR, BuiltinFunction.EPOCH_SECONDS
        });
        return Call.of(tf, gen(DataType.TIMESTAMP, d));
    }
  }

  private TypedExpr genDouble(int d) {
    switch (random.nextInt(5)) {
      case 0:
        BinaryOp op = pick(new BinaryOp[] {BinaryOp.ADD, BinaryOp.SUB, BinaryOp.MUL, BinaryOp.MOD, BinaryOp.DIV});
        // At least one double operand, unless dividing (which is always double).
        TypedExpr left = gen(op == BinaryOp.DIV ? numeric() : DataType.DOUBLE, d);
        TypedExpr right = gen(numeric(), d);
        return random.nextBoolean() ? new Binary(op, left, right) : new Binary(op, right, left);
      case 1:
        return new Unary(UnaryOp.NEGATE, gen(DataType.DOUBLE, d));
      case 2:
        BuiltinFunction f = pick(new BuiltinFunction[] {
          BuiltinFunction.SQRT, BuiltinFunction.LN, BuiltinFunction.LOG10, BuiltinFunction.EXP, BuiltinFunction.SIGN
        });
        return Call.of(f, gen(numeric(), d));
      case 3:
        return Call.of(BuiltinFunction.POWER, gen(numeric(), d), gen(numeric(), d));
      default:
        return random.nextBoolean()
            ? Call.of(BuiltinFunction.ABS, gen(DataType.DOUBLE, d))
            : Call.of(BuiltinFunction.ROUND, gen(DataType.DOUBLE, d), Literal.of((long) random.nextInt(9) - 4));
    }
  }

  private TypedExpr genString(int d) {
    switch (random.nextInt(4)) {
      case 0:
        return new Binary(BinaryOp.CONCAT, gen(DataType.STRING, d), gen(DataType.STRING, d));
      case 1:
        BuiltinFunction f = pick(new BuiltinFunction[] {BuiltinFunction.LOWER, BuiltinFunction.UPPER, BuiltinFunction.TRIM});
        return Call.of(f, gen(DataType.STRING, d));
      case 2:
        return random.nextBoolean()
            ? Call.of(BuiltinFunction.SUBSTR, gen(DataType.STRING, d), gen(DataType.LONG, d))
            : Call.of(BuiltinFunction.SUBSTR, gen(DataType.STRING, d), gen(DataType.LONG, d), gen(DataType.LONG, d));
      default:
        return Call.of(BuiltinFunction.CONCAT, values(DataType.STRING, d, 1 + random.nextInt(3)));
    }
  }

  private TypedExpr genBoolean(int d) {
    switch (random.nextInt(8)) {
      case 0:
        return new Binary(random.nextBoolean() ? BinaryOp.AND : BinaryOp.OR, gen(DataType.BOOLEAN, d), gen(DataType.BOOLEAN, d));
      case 1:
        return new Unary(UnaryOp.NOT, gen(DataType.BOOLEAN, d));
      case 2:
        DataType t = anyType();
        BinaryOp op = t == DataType.BOOLEAN
            ? pick(new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE})
            : pick(new BinaryOp[] {BinaryOp.EQ, BinaryOp.NE, BinaryOp.LT, BinaryOp.LE, BinaryOp.GT, BinaryOp.GE});
        return new Binary(op, gen(t, d), gen(comparableWith(t), d));
      case 3:
        DataType any = random.nextBoolean() ? anyType() : DataType.listOf(DataType.STRING);
        TypedExpr arg = any instanceof DataType.ListType ? new ColumnRef("tags", any) : gen(any, d);
        return new Unary(random.nextBoolean() ? UnaryOp.IS_NULL : UnaryOp.IS_NOT_NULL, arg);
      case 4:
        DataType it = anyType();
        List<TypedExpr> list = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(3); i < n; i++) {
          list.add(gen(comparableWith(it), d));
        }
        return new InList(gen(it, d), list, random.nextBoolean());
      case 5:
        DataType bt = pick(ORDERABLE);
        return new Between(gen(bt, d), gen(comparableWith(bt), d), gen(comparableWith(bt), d), random.nextBoolean());
      case 6:
        return new Like(gen(DataType.STRING, d), gen(DataType.STRING, d), random.nextBoolean());
      default:
        BuiltinFunction f = pick(new BuiltinFunction[] {
          BuiltinFunction.STARTS_WITH, BuiltinFunction.ENDS_WITH, BuiltinFunction.CONTAINS
        });
        return Call.of(f, gen(DataType.STRING, d), gen(DataType.STRING, d));
    }
  }

  private TypedExpr genTimestamp(int d) {
    String unit = pick(new String[] {"day", "hour", "minute", "DAY"});
    return Call.of(BuiltinFunction.DATE_TRUNC, Literal.of(unit), gen(DataType.TIMESTAMP, d));
  }

  /** A value of the column's type, sometimes NULL, often an edge case. */
  Object value(DataType t) {
    if (chance(6)) {
      return null;
    }
    if (t instanceof DataType.ListType) {
      return List.of("a");
    }
    Literal l = literal(t);
    if (l.isNull()) {
      return null;
    }
    if (t == DataType.DOUBLE && chance(6)) {
      return pick(new Double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY});
    }
    return l.value();
  }

  Object[] row() {
    Object[] row = new Object[SCHEMA.size()];
    for (int i = 0; i < row.length; i++) {
      row[i] = value(SCHEMA.field(i).type());
    }
    return row;
  }
}
