package dev.strata.dsl.expr;

import static dev.strata.dsl.expr.ExprTestSupport.col;
import static dev.strata.dsl.expr.ExprTestSupport.compile;
import static dev.strata.dsl.expr.ExprTestSupport.onlyError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ParserTest {

  private static Binary bin(BinaryOp op, TypedExpr l, TypedExpr r) {
    return new Binary(op, l, r);
  }

  @Test
  void multiplicationBindsTighterThanAddition() {
    assertThat(compile("delay + distance * 2"))
        .isEqualTo(bin(BinaryOp.ADD, col("delay"), bin(BinaryOp.MUL, col("distance"), Literal.of(2))));
    assertThat(compile("(delay + distance) * 2"))
        .isEqualTo(bin(BinaryOp.MUL, bin(BinaryOp.ADD, col("delay"), col("distance")), Literal.of(2)));
  }

  @Test
  void binaryOperatorsAreLeftAssociative() {
    assertThat(compile("delay - distance - 1"))
        .isEqualTo(bin(BinaryOp.SUB, bin(BinaryOp.SUB, col("delay"), col("distance")), Literal.of(1)));
    assertThat(compile("delay / distance / 2"))
        .isEqualTo(bin(BinaryOp.DIV, bin(BinaryOp.DIV, col("delay"), col("distance")), Literal.of(2)));
    assertThat(compile("delay - (distance - 1)").toSql()).isEqualTo("delay - (distance - 1)");
    assertThat(compile("origin || destination || 'x'"))
        .isEqualTo(bin(BinaryOp.CONCAT, bin(BinaryOp.CONCAT, col("origin"), col("destination")), Literal.of("x")));
  }

  @Test
  void logicalPrecedenceIsOrAndNot() {
    TypedExpr flag = col("flag");
    assertThat(compile("flag OR flag AND NOT flag"))
        .isEqualTo(bin(BinaryOp.OR, flag, bin(BinaryOp.AND, flag, new Unary(UnaryOp.NOT, flag))));
    assertThat(compile("NOT delay > 5"))
        .isEqualTo(new Unary(UnaryOp.NOT, bin(BinaryOp.GT, col("delay"), Literal.of(5))));
    assertThat(compile("flag AND flag OR flag"))
        .isEqualTo(bin(BinaryOp.OR, bin(BinaryOp.AND, flag, flag), flag));
    assertThat(compile("NOT NOT flag")).isEqualTo(new Unary(UnaryOp.NOT, new Unary(UnaryOp.NOT, flag)));
  }

  @Test
  void comparisonBindsLooserThanConcatAndArithmetic() {
    assertThat(compile("origin || destination = 'AB'"))
        .isEqualTo(bin(BinaryOp.EQ, bin(BinaryOp.CONCAT, col("origin"), col("destination")), Literal.of("AB")));
    assertThat(compile("delay + 1 > distance * 2"))
        .isEqualTo(
            bin(BinaryOp.GT, bin(BinaryOp.ADD, col("delay"), Literal.of(1)), bin(BinaryOp.MUL, col("distance"), Literal.of(2))));
    assertThat(compile("delay > 1 AND distance < 2"))
        .isEqualTo(
            bin(BinaryOp.AND, bin(BinaryOp.GT, col("delay"), Literal.of(1)), bin(BinaryOp.LT, col("distance"), Literal.of(2))));
  }

  @Test
  void unaryMinus() {
    assertThat(compile("-delay * 2"))
        .isEqualTo(bin(BinaryOp.MUL, new Unary(UnaryOp.NEGATE, col("delay")), Literal.of(2)));
    assertThat(compile("-5")).isEqualTo(Literal.of(-5));
    assertThat(compile("-2.5e-3")).isEqualTo(Literal.of(-2.5e-3));
    assertThat(compile("-9223372036854775808")).isEqualTo(Literal.of(Long.MIN_VALUE));
    assertThat(compile("delay - -5")).isEqualTo(bin(BinaryOp.SUB, col("delay"), Literal.of(-5)));
    assertThat(compile("-(5)")).isEqualTo(new Unary(UnaryOp.NEGATE, Literal.of(5)));
    assertThat(compile("- -delay")).isEqualTo(new Unary(UnaryOp.NEGATE, new Unary(UnaryOp.NEGATE, col("delay"))));
    assertThat(compile("-0.0")).isEqualTo(Literal.of(-0.0));
  }

  @Test
  void numberLiterals() {
    assertThat(compile("15")).isEqualTo(Literal.of(15));
    assertThat(compile("1.5")).isEqualTo(Literal.of(1.5));
    assertThat(compile("1.")).isEqualTo(Literal.of(1.0));
    assertThat(compile(".5")).isEqualTo(Literal.of(0.5));
    assertThat(compile("1e3")).isEqualTo(Literal.of(1000.0));
    assertThat(compile("1.5E+2")).isEqualTo(Literal.of(150.0));
  }

  @Test
  void stringBooleanNullAndTimestampLiterals() {
    assertThat(compile("'it''s'")).isEqualTo(Literal.of("it's"));
    assertThat(compile("''")).isEqualTo(Literal.of(""));
    assertThat(compile("TRUE")).isEqualTo(Literal.of(true));
    assertThat(compile("false")).isEqualTo(Literal.of(false));
    assertThat(compile("NULL")).isEqualTo(Literal.nullOf(DataType.BOOLEAN));
    assertThat(compile("TIMESTAMP '2001-01-01T00:47:00Z'"))
        .isEqualTo(Literal.timestamp(Durations.parseInstant("2001-01-01T00:47:00Z")));
    assertThat(compile("timestamp '2001-01-01'"))
        .isEqualTo(Literal.timestamp(Durations.parseInstant("2001-01-01T00:00:00Z")));
  }

  @Test
  void columnNames() {
    assertThat(compile("origin_delays.avg_delay_1h - origin_delays.avg_delay_7d"))
        .isEqualTo(bin(BinaryOp.SUB, col("origin_delays.avg_delay_1h"), col("origin_delays.avg_delay_7d")));
    assertThat(compile("`origin_delays.avg_delay_1h`")).isEqualTo(col("origin_delays.avg_delay_1h"));
    assertThat(compile("`origin_delays`.`avg_delay_1h`")).isEqualTo(col("origin_delays.avg_delay_1h"));
    assertThat(compile("`weird name`")).isEqualTo(col("weird name"));
    assertThat(compile("`weird name`").toSql()).isEqualTo("`weird name`");
    assertThat(compile("date")).isEqualTo(col("date"));
  }

  @Test
  void wordsThatAreSpecialOnlyInContextCanBeColumns() {
    var schema = dev.strata.dsl.types.Schema.builder()
        .add("timestamp", DataType.TIMESTAMP).add("cast", DataType.LONG).add("end", DataType.LONG).add("x`y", DataType.LONG).build();
    assertThat(compile("timestamp", schema)).isEqualTo(new ColumnRef("timestamp", DataType.TIMESTAMP));
    assertThat(compile("cast + 1", schema).toSql()).isEqualTo("cast + 1");
    assertThat(compile("`end` + `x``y`", schema).toSql()).isEqualTo("`end` + `x``y`");
  }

  @Test
  void predicates() {
    assertThat(compile("delay IN (1, 2, 3)"))
        .isEqualTo(new InList(col("delay"), List.of(Literal.of(1), Literal.of(2), Literal.of(3)), false));
    assertThat(compile("delay not in (1)")).isEqualTo(new InList(col("delay"), List.of(Literal.of(1)), true));
    assertThat(compile("delay IS NULL")).isEqualTo(new Unary(UnaryOp.IS_NULL, col("delay")));
    assertThat(compile("delay is not null")).isEqualTo(new Unary(UnaryOp.IS_NOT_NULL, col("delay")));
    assertThat(compile("delay BETWEEN 1 AND 5 AND flag"))
        .isEqualTo(bin(BinaryOp.AND, new Between(col("delay"), Literal.of(1), Literal.of(5), false), col("flag")));
    assertThat(compile("delay NOT BETWEEN 1 + 1 AND 5"))
        .isEqualTo(new Between(col("delay"), bin(BinaryOp.ADD, Literal.of(1), Literal.of(1)), Literal.of(5), true));
    assertThat(compile("origin LIKE 'S%'")).isEqualTo(new Like(col("origin"), Literal.of("S%"), false));
    assertThat(compile("origin NOT LIKE 'S%'")).isEqualTo(new Like(col("origin"), Literal.of("S%"), true));
    assertThat(compile("NOT origin LIKE 'S%'"))
        .isEqualTo(new Unary(UnaryOp.NOT, new Like(col("origin"), Literal.of("S%"), false)));
  }

  @Test
  void comparisonSpellings() {
    assertThat(compile("delay == 1")).isEqualTo(compile("delay = 1"));
    assertThat(compile("delay != 1")).isEqualTo(compile("delay <> 1"));
    for (String op : List.of("<", "<=", ">", ">=")) {
      assertThat(compile("delay " + op + " 1").toSql()).isEqualTo("delay " + op + " 1");
    }
  }

  @Test
  void caseForms() {
    assertThat(compile("CASE WHEN delay > 15 THEN 1.0 ELSE 0.0 END"))
        .isEqualTo(
            new CaseWhen(
                null,
                List.of(new CaseWhen.Branch(bin(BinaryOp.GT, col("delay"), Literal.of(15)), Literal.of(1.0))),
                Literal.of(0.0),
                DataType.DOUBLE));
    assertThat(compile("case origin when 'SFO' then 1 when 'LAX' then 2 end"))
        .isEqualTo(
            new CaseWhen(
                col("origin"),
                List.of(new CaseWhen.Branch(Literal.of("SFO"), Literal.of(1)), new CaseWhen.Branch(Literal.of("LAX"), Literal.of(2))),
                null,
                DataType.LONG));
  }

  @Test
  void castsAndCalls() {
    assertThat(compile("CAST(delay AS double)")).isEqualTo(new Cast(col("delay"), DataType.DOUBLE));
    assertThat(compile("cast(delay as INT)")).isEqualTo(new Cast(col("delay"), DataType.LONG));
    assertThat(compile("CAST(NULL AS string)")).isEqualTo(Literal.nullOf(DataType.STRING));
    assertThat(compile("coalesce(delay, 0)")).isEqualTo(Call.of(BuiltinFunction.COALESCE, col("delay"), Literal.of(0)));
    assertThat(compile("SubString(origin, 1, 2)"))
        .isEqualTo(Call.of(BuiltinFunction.SUBSTR, col("origin"), Literal.of(1), Literal.of(2)));
  }

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '"',
      value = {
        "delay+1                                  => delay + 1",
        "(delay)                                  => delay",
        "((delay + 1)) * 2                        => (delay + 1) * 2",
        "delay * (2 + 1)                          => delay * (2 + 1)",
        "not (flag and flag)                      => NOT (flag AND flag)",
        "(not flag) and flag                      => NOT flag AND flag",
        "flag = (delay > 1)                       => flag = (delay > 1)",
        "(delay > 1) = flag                       => (delay > 1) = flag",
        "delay > 1 is null                        => (delay > 1) IS NULL",
        "delay in (1,2)                           => delay IN (1, 2)",
        "(delay in (1)) in (true)                 => (delay IN (1)) IN (TRUE)",
        "delay between 1 and 2 or flag            => delay BETWEEN 1 AND 2 OR flag",
        "delay between (1 - 1) and 2 + 3          => delay BETWEEN 1 - 1 AND 2 + 3",
        "origin like 'a' || 'b'                   => origin LIKE 'a' || 'b'",
        "case when flag then 'x' end              => CASE WHEN flag THEN 'x' END",
        "coalesce(delay, null)                    => COALESCE(delay, CAST(NULL AS BIGINT))",
        "-(delay + 1)                             => -(delay + 1)",
        "-(-1)                                    => -(-1)",
        "1e10                                     => 1.0E10",
        "date >= timestamp '2001-01-01'           => date >= TIMESTAMP '2001-01-01T00:00:00Z'",
        "'a' || 'it''s'                           => 'a' || 'it''s'",
        "if(flag, 1, 2.5)                         => IF(flag, 1, 2.5)",
        "NULL IS NULL                             => NULL IS NULL",
        "origin_delays.avg_delay_1h * 2           => origin_delays.avg_delay_1h * 2",
      })
  void canonicalSql(String text, String expected) {
    assertThat(compile(text).toSql()).isEqualTo(expected);
  }

  @Test
  void keywordsAndFunctionsAreCaseInsensitive() {
    assertThat(compile("CaSe WhEn flag tHeN Upper(origin) eLsE lower(origin) EnD"))
        .isEqualTo(compile("CASE WHEN flag THEN UPPER(origin) ELSE LOWER(origin) END"));
  }

  // ---------------------------------------------------------------- syntax errors

  @Test
  void unexpectedToken() {
    ExpressionError e = onlyError("(delay FROM flights)");
    assertThat(e.message()).isEqualTo("expected ')' but found 'FROM'");
    assertThat(e.offset()).isEqualTo(7);
    assertThat(e.length()).isEqualTo(4);
  }

  @Test
  void missingOperand() {
    ExpressionError e = onlyError("delay +");
    assertThat(e.message()).isEqualTo("expected an expression but found end of input");
    assertThat(e.offset()).isEqualTo(7);
    assertThat(onlyError("").message()).isEqualTo("expected an expression but found end of input");
  }

  @Test
  void trailingTokens() {
    ExpressionError e = onlyError("delay distance");
    assertThat(e.message()).isEqualTo("expected an operator or the end of the expression but found 'distance'");
    assertThat(e.offset()).isEqualTo(6);
  }

  @Test
  void unterminatedString() {
    ExpressionError e = onlyError("origin = 'SFO");
    assertThat(e.message()).isEqualTo("unterminated string literal; expected a closing '");
    assertThat(e.offset()).isEqualTo(9);
    assertThat(e.length()).isEqualTo(4);
    assertThat(onlyError("`origin").message()).startsWith("unterminated quoted name");
  }

  @Test
  void otherSyntaxErrors() {
    assertThat(onlyError("CASE WHEN flag THEN 1").message()).isEqualTo("expected WHEN, ELSE or END but found end of input");
    assertThat(onlyError("CASE END").message()).isEqualTo("expected an expression but found 'END'");
    assertThat(onlyError("CASE delay END").message()).isEqualTo("expected WHEN but found 'END'");
    assertThat(onlyError("CAST(delay AS)").message())
        .isEqualTo("expected a type such as bigint, double, string, boolean or timestamp but found ')'");
    assertThat(onlyError("CAST(delay double)").message()).isEqualTo("expected AS but found 'double'");
    assertThat(onlyError("delay NOT 5").message()).isEqualTo("expected IN, BETWEEN or LIKE after NOT but found '5'");
    assertThat(onlyError("delay IS 5").message()).isEqualTo("expected NULL but found '5'");
    assertThat(onlyError("delay IN 5").message()).isEqualTo("expected '(' after IN but found '5'");
    assertThat(onlyError("delay BETWEEN 1 OR 2").message()).isEqualTo("expected AND but found 'OR'");
    assertThat(onlyError("COALESCE(delay 1)").message()).isEqualTo("expected ',' or ')' but found '1'");
    assertThat(onlyError("a.").message()).isEqualTo("expected a name after '.' but found end of input");
    assertThat(onlyError("delay > 1h").message()).isEqualTo("malformed number '1h'; expected digits such as 15 or 1.5e3");
    assertThat(onlyError("1e").message()).startsWith("malformed number '1e'");
    assertThat(onlyError("9223372036854775808").message()).startsWith("integer 9223372036854775808 is out of range for bigint");
    assertThat(onlyError("1e400").message()).isEqualTo("number 1e400 is out of range for double");
    assertThat(onlyError("delay # 1").message()).isEqualTo("unexpected character '#'");
    assertThat(onlyError("flag && flag").message()).isEqualTo("unexpected character '&'; use AND");
    assertThat(onlyError("origin = \"SFO\"").message()).startsWith("unexpected character '\"'");
    assertThat(onlyError("date > TIMESTAMP 'yesterday'").message()).startsWith("invalid timestamp 'yesterday'");
    assertThat(onlyError("date > TIMESTAMP 'yesterday'").offset()).isEqualTo(17);
  }

  @Test
  void deepNestingIsAnErrorNotACrash() {
    String nested = "(".repeat(5000) + "1" + ")".repeat(5000);
    assertThat(onlyError(nested).message()).isEqualTo("expression is nested too deeply; at most 200 levels are allowed");
    String chain = "delay" + " + delay".repeat(5000);
    assertThat(onlyError(chain).message()).isEqualTo("expression is nested too deeply; at most 200 levels are allowed");
    assertThat(compile("delay" + " + delay".repeat(150)).columns()).containsExactly("delay");
  }

  @Test
  void longChainsAndListsAreErrorsAtTheirPositionNotACrash() {
    // issue 15: a 20,001-term OR filter overflowed the stack while the depth check computed a position
    String or = String.join(" OR ", java.util.stream.IntStream.range(0, 20_001).mapToObj(i -> "delay > " + i).toList());
    ExpressionError e = onlyError(or);
    assertThat(e.message()).isEqualTo("expression is nested too deeply; at most 200 levels are allowed");
    // each "delay > N" is a level and each OR one more: the 200th OR is the 201st level
    assertThat(e.offset()).isEqualTo(or.indexOf(" OR delay > 200 ") + 1);
    assertThat(e.length()).isEqualTo(2);
    // a long IN list is flat: 9,999 constants are fine, 10,001 terms are too many
    String in = "delay IN (" + String.join(", ", java.util.Collections.nCopies(9_999, "1")) + ")";
    assertThat(compile(in).columns()).containsExactly("delay");
    String tooLong = "delay IN (" + String.join(", ", java.util.Collections.nCopies(10_000, "1")) + ")";
    assertThat(onlyError(tooLong).message()).isEqualTo("expression is too long; at most 10000 columns and constants are allowed");
    assertThat(onlyError(tooLong).offset()).isEqualTo(tooLong.length() - 2);
  }

  @Test
  void errorLineAndColumn() {
    String text = "delay > 1\n  AND dealy < 5";
    ExpressionError e = Expressions.compile(text, ExprTestSupport.SCHEMA).errors().get(0);
    assertThat(e.line(text)).isEqualTo(2);
    assertThat(e.column(text)).isEqualTo(7);
  }
}
