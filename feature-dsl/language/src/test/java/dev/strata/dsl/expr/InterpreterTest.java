package dev.strata.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class InterpreterTest {
  private static final Schema ROW =
      Schema.builder()
          .add("a", DataType.BOOLEAN)
          .add("b", DataType.BOOLEAN)
          .add("x", DataType.LONG)
          .add("y", DataType.LONG)
          .add("d", DataType.DOUBLE)
          .add("s", DataType.STRING)
          .add("t", DataType.TIMESTAMP)
          .build();

  /** Evaluates {@code text} on a row of (a, b, x, y, d, s, t). */
  private static Object eval(String text, Object... row) {
    TypedExpr e = ExprTestSupport.compile(text, ROW);
    Object[] values = Arrays.copyOf(row, ROW.size());
    Object result = BoundExpression.bind(e, ROW).eval(values);
    if (result != null) {
      assertThat(Values.isInstance(result, e.type())).as("%s is a %s", result, e.type()).isTrue();
    }
    return result;
  }

  private static Object eval(String text) {
    return eval(text, new Object[0]);
  }

  private static Boolean bool(String s) {
    return s.equals("NULL") ? null : Boolean.valueOf(s);
  }

  @ParameterizedTest(name = "{0} AND {1} = {2}; {0} OR {1} = {3}")
  @CsvSource({
    "true, true, true, true",
    "true, false, false, true",
    "true, NULL, NULL, true",
    "false, true, false, true",
    "false, false, false, false",
    "false, NULL, false, NULL",
    "NULL, true, NULL, true",
    "NULL, false, false, NULL",
    "NULL, NULL, NULL, NULL",
  })
  void threeValuedAndOr(String a, String b, String and, String or) {
    assertThat(eval("a AND b", bool(a), bool(b))).isEqualTo(bool(and));
    assertThat(eval("a OR b", bool(a), bool(b))).isEqualTo(bool(or));
  }

  @Test
  void threeValuedNot() {
    assertThat(eval("NOT a", true)).isEqualTo(false);
    assertThat(eval("NOT a", false)).isEqualTo(true);
    assertThat(eval("NOT a", (Object) null)).isNull();
    assertThat(eval("NOT NULL")).isNull();
  }

  @Test
  void comparisonsWithNullAreNull() {
    assertThat(eval("x = y", 0, 0, 1L, null)).isNull();
    assertThat(eval("x < 1", 0, 0, null)).isNull();
    assertThat(eval("NULL = NULL")).isNull();
    assertThat(eval("x IS NULL", 0, 0, null)).isEqualTo(true);
    assertThat(eval("x IS NOT NULL", 0, 0, null)).isEqualTo(false);
  }

  @Test
  void inWithNull() {
    assertThat(eval("x IN (1, NULL)", null, null, 1L)).isEqualTo(true);
    assertThat(eval("x IN (1, NULL)", null, null, 2L)).isNull();
    assertThat(eval("x IN (1, 3)", null, null, 2L)).isEqualTo(false);
    assertThat(eval("x NOT IN (1, NULL)", null, null, 2L)).isNull();
    assertThat(eval("x NOT IN (1, NULL)", null, null, 1L)).isEqualTo(false);
    assertThat(eval("x NOT IN (1, 3)", null, null, 2L)).isEqualTo(true);
    assertThat(eval("x IN (1, 2)", null, null, null)).isNull();
    assertThat(eval("x IN (1.0, 2.5)", null, null, 1L)).isEqualTo(true);
  }

  @Test
  void between() {
    assertThat(eval("x BETWEEN 1 AND 3", null, null, 3L)).isEqualTo(true);
    assertThat(eval("x BETWEEN 1 AND 3", null, null, 4L)).isEqualTo(false);
    assertThat(eval("x NOT BETWEEN 1 AND 3", null, null, 4L)).isEqualTo(true);
    assertThat(eval("x BETWEEN NULL AND 3", null, null, 5L)).isEqualTo(false);
    assertThat(eval("x BETWEEN NULL AND 3", null, null, 2L)).isNull();
    assertThat(eval("x NOT BETWEEN NULL AND 3", null, null, 2L)).isNull();
  }

  @Test
  void caseWithoutElseIsNull() {
    assertThat(eval("CASE WHEN x > 0 THEN 'pos' END", null, null, -1L)).isNull();
    assertThat(eval("CASE WHEN x > 0 THEN 'pos' END", null, null, 1L)).isEqualTo("pos");
    // A NULL condition is not true: the next branch is tried.
    assertThat(eval("CASE WHEN x > 0 THEN 'pos' WHEN TRUE THEN 'other' END", null, null, null)).isEqualTo("other");
    assertThat(eval("CASE x WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END", null, null, 2L)).isEqualTo("two");
    assertThat(eval("CASE x WHEN 1 THEN 'one' ELSE 'many' END", null, null, null)).isEqualTo("many");
    assertThat(eval("CASE x WHEN NULL THEN 'null' ELSE 'other' END", null, null, null)).isEqualTo("other");
    // Branches unify: a bigint branch of a double CASE yields a double.
    assertThat(eval("CASE WHEN a THEN 1 ELSE 2.5 END", true)).isEqualTo(1.0);
  }

  @Test
  void integerAndDoubleArithmetic() {
    assertThat(eval("7 / 2")).isEqualTo(3.5);
    assertThat(eval("x / y", null, null, 6L, 3L)).isEqualTo(2.0);
    assertThat(eval("7 % 3")).isEqualTo(1L);
    assertThat(eval("-7 % 3")).isEqualTo(-1L);
    assertThat(eval("7 * 3 - 1")).isEqualTo(20L);
    assertThat(eval("x + d", null, null, 1L, null, 0.5)).isEqualTo(1.5);
    assertThat(eval("5.5 % 2")).isEqualTo(1.5);
    assertThat(eval("x + NULL", null, null, 1L)).isNull();
  }

  @Test
  void divisionAndModuloByZeroAreNull() {
    assertThat(eval("x / 0", null, null, 1L)).isNull();
    assertThat(eval("x % 0", null, null, 1L)).isNull();
    assertThat(eval("d / 0.0", null, null, null, null, 1.0)).isNull();
    assertThat(eval("d / -0.0", null, null, null, null, 1.0)).isNull();
    assertThat(eval("d % 0", null, null, null, null, 1.0)).isNull();
    assertThat(eval("0.0 / 0")).isNull();
  }

  @Test
  void bigintOverflowWraps() {
    assertThat(eval("9223372036854775807 + 1")).isEqualTo(Long.MIN_VALUE);
    assertThat(eval("-x", null, null, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(eval("ABS(x)", null, null, Long.MIN_VALUE)).isEqualTo(Long.MIN_VALUE);
    assertThat(eval("x * 2", null, null, Long.MAX_VALUE)).isEqualTo(-2L);
  }

  @Test
  void nanAndSignedZeroFollowSpark() {
    String nan = "CAST('NaN' AS DOUBLE)";
    assertThat(eval(nan + " = " + nan)).isEqualTo(true);
    assertThat(eval(nan + " > 1e308")).isEqualTo(true);
    assertThat(eval(nan + " > CAST('Infinity' AS DOUBLE)")).isEqualTo(true);
    assertThat(eval("d < " + nan, null, null, null, null, 1.0)).isEqualTo(true);
    assertThat(eval("GREATEST(1.0, " + nan + ")")).isEqualTo(Double.NaN);
    assertThat(eval("LEAST(1.0, " + nan + ")")).isEqualTo(1.0);
    assertThat(eval("0.0 = -0.0")).isEqualTo(true);
    assertThat(eval("d IN (" + nan + ")", null, null, null, null, Double.NaN)).isEqualTo(true);
    assertThat(eval("x = 1.0", null, null, 1L)).isEqualTo(true);
  }

  @Test
  void coalesceAndNullIf() {
    assertThat(eval("COALESCE(x, y, 0)", null, null, null, 5L)).isEqualTo(5L);
    assertThat(eval("COALESCE(x, y)", null, null, null, null)).isNull();
    assertThat(eval("COALESCE(x, 0.5)", null, null, 2L)).isEqualTo(2.0);
    assertThat(eval("NULLIF(x, 0)", null, null, 0L)).isNull();
    assertThat(eval("NULLIF(x, 0)", null, null, 3L)).isEqualTo(3L);
    assertThat(eval("NULLIF(x, NULL)", null, null, 3L)).isEqualTo(3L);
    assertThat(eval("NULLIF(x, 1)", null, null, null)).isNull();
    assertThat(eval("IF(a, 1, 2)", (Object) null)).isEqualTo(2L);
    assertThat(eval("IF(a, 1, 2.5)", true)).isEqualTo(1.0);
    assertThat(eval("GREATEST(x, y, 2)", null, null, null, 7L)).isEqualTo(7L);
    assertThat(eval("LEAST(x, y)", null, null, null, null)).isNull();
    assertThat(eval("LEAST('b', 'a', 'c')")).isEqualTo("a");
  }

  @Test
  void mathFunctions() {
    assertThat(eval("ROUND(2.5)")).isEqualTo(3.0);
    assertThat(eval("ROUND(-2.5)")).isEqualTo(-3.0);
    assertThat(eval("ROUND(0.285, 2)")).isEqualTo(0.29);
    assertThat(eval("ROUND(1250, -2)")).isEqualTo(1300L);
    assertThat(eval("ROUND(17)")).isEqualTo(17L);
    assertThat(eval("FLOOR(-1.5)")).isEqualTo(-2L);
    assertThat(eval("CEIL(1.2)")).isEqualTo(2L);
    assertThat(eval("CEIL(3)")).isEqualTo(3L);
    assertThat(eval("SQRT(16)")).isEqualTo(4.0);
    assertThat(eval("SQRT(-1)")).isEqualTo(Double.NaN);
    assertThat(eval("LN(0)")).isNull();
    assertThat(eval("LN(EXP(1))")).isEqualTo(1.0);
    assertThat(eval("LOG10(1000)")).isEqualTo(3.0);
    assertThat(eval("POWER(2, 10)")).isEqualTo(1024.0);
    assertThat(eval("SIGN(-3)")).isEqualTo(-1.0);
    assertThat(eval("ABS(-2.5)")).isEqualTo(2.5);
    assertThat(eval("ABS(NULL)")).isNull();
  }

  @Test
  void stringFunctions() {
    assertThat(eval("LOWER('SFO')")).isEqualTo("sfo");
    assertThat(eval("UPPER(s)", null, null, null, null, null, "sfo")).isEqualTo("SFO");
    assertThat(eval("LENGTH('héllo😀')")).isEqualTo(6L);
    assertThat(eval("TRIM('  a b  ')")).isEqualTo("a b");
    assertThat(eval("TRIM('\ta ')")).isEqualTo("\ta");
    assertThat(eval("SUBSTR('abcdef', 2, 3)")).isEqualTo("bcd");
    assertThat(eval("SUBSTRING('abcdef', 3)")).isEqualTo("cdef");
    assertThat(eval("SUBSTR('abcdef', 0, 2)")).isEqualTo("ab");
    assertThat(eval("SUBSTR('abcdef', -2)")).isEqualTo("ef");
    assertThat(eval("SUBSTR('abcdef', 5, 10)")).isEqualTo("ef");
    assertThat(eval("SUBSTR('abcdef', 9)")).isEqualTo("");
    assertThat(eval("SUBSTR('abcdef', 2, -1)")).isEqualTo("");
    assertThat(eval("SUBSTR('a😀b', 2, 1)")).isEqualTo("😀");
    assertThat(eval("CONCAT('a', s, 'c')", null, null, null, null, null, "b")).isEqualTo("abc");
    assertThat(eval("CONCAT('a', s)", null, null, null, null, null, null)).isNull();
    assertThat(eval("'a' || s", null, null, null, null, null, null)).isNull();
    assertThat(eval("STARTS_WITH('SFO', 'SF')")).isEqualTo(true);
    assertThat(eval("ENDS_WITH('SFO', 'SF')")).isEqualTo(false);
    assertThat(eval("CONTAINS('SFO', 'F')")).isEqualTo(true);
    assertThat(eval("CONTAINS(s, 'F')", null, null, null, null, null, null)).isNull();
    assertThat(eval("'b' > 'a'")).isEqualTo(true);
  }

  @Test
  void like() {
    assertThat(eval("'SFO' LIKE 'S%'")).isEqualTo(true);
    assertThat(eval("'SFO' LIKE '%F%'")).isEqualTo(true);
    assertThat(eval("'SFO' LIKE 'S_O'")).isEqualTo(true);
    assertThat(eval("'SFO' LIKE 'S_'")).isEqualTo(false);
    assertThat(eval("'SFO' LIKE 'sfo'")).isEqualTo(false);
    assertThat(eval("'a.c' LIKE 'a.c'")).isEqualTo(true);
    assertThat(eval("'abc' LIKE 'a.c'")).isEqualTo(false);
    assertThat(eval("'50%' LIKE '50\\%'")).isEqualTo(true);
    assertThat(eval("'500' LIKE '50\\%'")).isEqualTo(false);
    assertThat(eval("'a_b' LIKE 'a\\_b'")).isEqualTo(true);
    assertThat(eval("'a\nb' LIKE 'a%b'")).isEqualTo(true);
    assertThat(eval("'(x)' LIKE '(%)'")).isEqualTo(true);
    assertThat(eval("'SFO' NOT LIKE 'S%'")).isEqualTo(false);
    assertThat(eval("s LIKE 'S%'", null, null, null, null, null, null)).isNull();
    assertThat(eval("'SFO' LIKE s", null, null, null, null, null, "%O")).isEqualTo(true);
    assertThat(eval("'SFO' LIKE NULL")).isNull();
  }

  private static final long MONDAY_0047 = Durations.parseInstant("2001-01-01T00:47:00Z");

  @Test
  void timeFunctions() {
    Object[] row = {null, null, null, null, null, null, MONDAY_0047};
    assertThat(eval("DAY_OF_WEEK(t)", row)).isEqualTo(1L);
    assertThat(eval("HOUR(t)", row)).isEqualTo(0L);
    assertThat(eval("MINUTE(t)", row)).isEqualTo(47L);
    assertThat(eval("DAY_OF_MONTH(t)", row)).isEqualTo(1L);
    assertThat(eval("MONTH(t)", row)).isEqualTo(1L);
    assertThat(eval("YEAR(t)", row)).isEqualTo(2001L);
    assertThat(eval("EPOCH_SECONDS(t)", row)).isEqualTo(978310020L);
    assertThat(eval("DATE_TRUNC('hour', t)", row)).isEqualTo(Durations.parseInstant("2001-01-01T00:00:00Z"));
    assertThat(eval("DATE_TRUNC('MINUTE', t)", row)).isEqualTo(MONDAY_0047);
    assertThat(eval("DAY_OF_WEEK(TIMESTAMP '2001-01-07T23:59:59Z')")).isEqualTo(7L);
    assertThat(eval("DAY_OF_WEEK(t)", new Object[] {null, null, null, null, null, null, null})).isNull();
  }

  @Test
  void timeFunctionsBeforeTheEpochRoundDown() {
    String t = "TIMESTAMP '1969-12-31T23:59:59.5Z'";
    assertThat(eval("HOUR(" + t + ")")).isEqualTo(23L);
    assertThat(eval("DAY_OF_WEEK(" + t + ")")).isEqualTo(3L); // a Wednesday
    assertThat(eval("YEAR(" + t + ")")).isEqualTo(1969L);
    assertThat(eval("EPOCH_SECONDS(" + t + ")")).isEqualTo(-1L);
    assertThat(eval("DATE_TRUNC('day', " + t + ")")).isEqualTo(Durations.parseInstant("1969-12-31"));
  }

  @Test
  void timestampComparisons() {
    Object[] row = {null, null, null, null, null, null, MONDAY_0047};
    assertThat(eval("t > TIMESTAMP '2001-01-01T00:00:00Z'", row)).isEqualTo(true);
    assertThat(eval("t BETWEEN TIMESTAMP '2001-01-01' AND TIMESTAMP '2001-01-02'", row)).isEqualTo(true);
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '"',
      value = {
        "CAST('12' AS BIGINT)                              => 12",
        "CAST(' 1.9 ' AS BIGINT)                           => 1",
        "CAST('x' AS BIGINT)                               => NULL",
        "CAST('99999999999999999999' AS BIGINT)            => NULL",
        "CAST(1.9 AS BIGINT)                               => 1",
        "CAST(-1.9 AS BIGINT)                              => -1",
        "CAST(1e300 AS BIGINT)                             => 9223372036854775807",
        "CAST(TRUE AS BIGINT)                              => 1",
        "CAST(TIMESTAMP '2001-01-01T00:47:00.5Z' AS BIGINT) => 978310020",
        "CAST(' 2.5 ' AS DOUBLE)                           => 2.5",
        "CAST('inf' AS DOUBLE)                             => Infinity",
        "CAST('1x' AS DOUBLE)                              => NULL",
        "CAST(TIMESTAMP '2001-01-01T00:47:00.5Z' AS DOUBLE) => 9.783100205E8",
        "CAST('yes' AS BOOLEAN)                            => true",
        "CAST('0' AS BOOLEAN)                              => false",
        "CAST('maybe' AS BOOLEAN)                          => NULL",
        "CAST(0 AS BOOLEAN)                                => false",
        "CAST(2.5 AS BOOLEAN)                              => true",
        "CAST(12 AS STRING)                                => 12",
        "CAST(1.5 AS STRING)                               => 1.5",
        "CAST(FALSE AS STRING)                             => false",
        "CAST(TIMESTAMP '2001-01-01T00:47:00Z' AS STRING)  => 2001-01-01 00:47:00",
        "CAST(TIMESTAMP '2001-01-01T00:47:00.25Z' AS STRING) => 2001-01-01 00:47:00.25",
        "CAST(CAST('2001-01-01 00:47:00' AS TIMESTAMP) AS STRING) => 2001-01-01 00:47:00",
        "CAST(CAST('junk' AS TIMESTAMP) AS STRING)         => NULL",
        "CAST(CAST(978310020 AS TIMESTAMP) AS STRING)      => 2001-01-01 00:47:00",
        "CAST(CAST(978310020.5 AS TIMESTAMP) AS STRING)    => 2001-01-01 00:47:00.5",
      })
  void casts(String text, String expected) {
    Object v = eval(text);
    assertThat(v == null ? "NULL" : v.toString()).isEqualTo(expected);
  }

  @Test
  void filterSemanticsDropNull() {
    BoundExpression f = BoundExpression.bind(ExprTestSupport.compile("x > 0", ROW), ROW);
    assertThat(f.test(new Object[] {null, null, 1L, null, null, null, null})).isTrue();
    assertThat(f.test(new Object[] {null, null, -1L, null, null, null, null})).isFalse();
    assertThat(f.test(new Object[] {null, null, null, null, null, null, null})).isFalse();
  }

  @Test
  void acceptsIntegerAndFloatInputs() {
    BoundExpression e = BoundExpression.bind(ExprTestSupport.compile("x + d", ROW), ROW);
    assertThat(e.eval(new Object[] {null, null, 1, null, 0.5f, null, null})).isEqualTo(1.5);
  }

  @Test
  void bindChecksTheSchema() {
    TypedExpr e = ExprTestSupport.compile("x + 1", ROW);
    assertThatThrownBy(() -> BoundExpression.bind(e, Schema.builder().add("y", DataType.LONG).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("Cannot bind expression: unknown column 'x'");
    assertThatThrownBy(() -> BoundExpression.bind(e, Schema.builder().add("x", DataType.STRING).build()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot bind expression: column 'x' is bigint in the expression but string in the schema");
    // Positions come from the schema it is bound to, not the one it was compiled against.
    Schema moved = Schema.builder().add("z", DataType.STRING).add("x", DataType.LONG).build();
    assertThat(BoundExpression.bind(e, moved).eval(new Object[] {"?", 41L})).isEqualTo(42L);
  }
}
