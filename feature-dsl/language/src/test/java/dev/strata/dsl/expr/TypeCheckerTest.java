package dev.strata.dsl.expr;

import static dev.strata.dsl.expr.ExprTestSupport.SCHEMA;
import static dev.strata.dsl.expr.ExprTestSupport.col;
import static dev.strata.dsl.expr.ExprTestSupport.compile;
import static dev.strata.dsl.expr.ExprTestSupport.onlyError;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TypeCheckerTest {

  @ParameterizedTest
  @CsvSource(
      delimiterString = "=>",
      quoteCharacter = '"',
      value = {
        "delay + 1                                    => bigint",
        "delay * distance % 7                         => bigint",
        "delay / 2                                    => double",
        "delay + ratio                                => double",
        "-ratio                                       => double",
        "delay > 1.5                                  => boolean",
        "origin || 'x'                                => string",
        "CASE WHEN flag THEN 1 ELSE 2.5 END           => double",
        "CASE WHEN flag THEN 1 END                    => bigint",
        "CASE WHEN flag THEN NULL ELSE 'x' END        => string",
        "COALESCE(delay, ratio)                       => double",
        "COALESCE(NULL, delay)                        => bigint",
        "IF(flag, 1, NULL)                            => bigint",
        "NULLIF(delay, 0)                             => bigint",
        "GREATEST(delay, ratio, 0)                    => double",
        "LEAST(origin, destination)                   => string",
        "ABS(delay)                                   => bigint",
        "ROUND(ratio, 2)                              => double",
        "FLOOR(ratio)                                 => bigint",
        "SQRT(delay)                                  => double",
        "SIGN(delay)                                  => double",
        "LENGTH(origin)                               => bigint",
        "SUBSTR(origin, 1)                            => string",
        "CONCAT(origin, '-', destination)             => string",
        "CONTAINS(origin, 'F')                        => boolean",
        "HOUR(date)                                   => bigint",
        "EPOCH_SECONDS(date)                          => bigint",
        "DATE_TRUNC('day', date)                      => timestamp",
        "CAST(date AS string)                         => string",
        "NULL                                         => boolean",
        "tags                                         => array<string>",
        "tags IS NULL                                 => boolean",
      })
  void resultTypes(String text, String type) {
    assertThat(compile(text).type()).isEqualTo(DataType.parseOrNull(type));
  }

  @Test
  void untypedNullTakesItsContextsType() {
    assertThat(compile("delay + NULL"))
        .isEqualTo(new Binary(BinaryOp.ADD, col("delay"), Literal.nullOf(DataType.LONG)));
    assertThat(compile("origin = NULL"))
        .isEqualTo(new Binary(BinaryOp.EQ, col("origin"), Literal.nullOf(DataType.STRING)));
    assertThat(compile("delay IN (1, NULL)"))
        .isEqualTo(new InList(col("delay"), List.of(Literal.of(1), Literal.nullOf(DataType.LONG)), false));
    assertThat(compile("UPPER(NULL)")).isEqualTo(Call.of(BuiltinFunction.UPPER, Literal.nullOf(DataType.STRING)));
    assertThat(compile("NULL + NULL").type()).isEqualTo(DataType.LONG);
    // A CASE of only NULLs is untyped too, and takes the type where it is used.
    assertThat(compile("CASE WHEN flag THEN NULL END + 1.5").type()).isEqualTo(DataType.DOUBLE);
  }

  @Test
  void expectedType() {
    assertThat(Expressions.compile("NULL", SCHEMA, DataType.STRING, "key").expr()).contains(Literal.nullOf(DataType.STRING));
    assertThat(Expressions.compile("delay", SCHEMA, DataType.DOUBLE, "input").expr())
        .contains(new Cast(col("delay"), DataType.DOUBLE));
    assertThat(Expressions.compile("delay > 15", SCHEMA, DataType.BOOLEAN, "label").isOk()).isTrue();

    ExpressionError e = onlyError("distance", DataType.BOOLEAN, "filter");
    assertThat(e.message()).isEqualTo("filter must be boolean, got bigint");
    assertThat(e.offset()).isEqualTo(0);
    assertThat(e.length()).isEqualTo(8);
    assertThat(onlyError(" ratio + 1 ", DataType.LONG, null))
        .isEqualTo(new ExpressionError(1, 9, "expression must be bigint, got double"));
  }

  @Test
  void unknownColumnSuggestsCloseNames() {
    assertThat(onlyError("dealy > 5")).isEqualTo(new ExpressionError(0, 5, "unknown column 'dealy'; did you mean 'delay'?"));
    assertThat(onlyError("delay > 5 AND Flag").message()).isEqualTo("unknown column 'Flag'; did you mean 'flag'?");
    assertThat(onlyError("origin_delays.avg_delay_1d").message())
        .isEqualTo("unknown column 'origin_delays.avg_delay_1d'; did you mean 'origin_delays.avg_delay_1h' or 'origin_delays.avg_delay_7d'?");
  }

  @Test
  void unknownColumnListsColumnsWhenNothingIsClose() {
    assertThat(onlyError("xyzzy").message())
        .isEqualTo(
            "unknown column 'xyzzy'; available columns: delay, distance, ratio, origin, destination, date, flag, "
                + "origin_delays.avg_delay_1h, origin_delays.avg_delay_7d, weird name, tags");
    Schema empty = Schema.of();
    assertThat(Expressions.compile("x", empty).errors().get(0).message()).isEqualTo("unknown column 'x'; there are no available columns");
  }

  @Test
  void comparisonMismatch() {
    assertThat(onlyError("origin = 5")).isEqualTo(new ExpressionError(7, 1, "cannot compare string with bigint"));
    assertThat(onlyError("delay <> 'x'")).isEqualTo(new ExpressionError(6, 2, "cannot compare bigint with string"));
    assertThat(onlyError("date > '2001-01-01'").message())
        .isEqualTo("cannot compare timestamp with string; write a timestamp as TIMESTAMP '2001-01-01T00:00:00Z'");
    assertThat(onlyError("flag < flag").message()).isEqualTo("cannot order boolean values with '<'; only = and <> apply");
    assertThat(onlyError("tags = tags").message()).isEqualTo("cannot compare array<string> with array<string>");
    assertThat(onlyError("delay IN (1, 'a', 2)")).isEqualTo(new ExpressionError(13, 3, "cannot compare bigint with string"));
    assertThat(onlyError("delay BETWEEN 'a' AND 5")).isEqualTo(new ExpressionError(14, 3, "cannot compare bigint with string"));
    assertThat(onlyError("CASE origin WHEN 1 THEN 2 END")).isEqualTo(new ExpressionError(17, 1, "cannot compare string with bigint"));
    assertThat(onlyError("NULLIF(origin, 1)").message()).isEqualTo("cannot compare string with bigint");
  }

  @Test
  void operatorOperandTypes() {
    assertThat(onlyError("origin + 1")).isEqualTo(new ExpressionError(7, 1, "cannot apply '+' to string and bigint; expected numbers"));
    assertThat(onlyError("delay || 'x'").message())
        .isEqualTo("cannot apply '||' to bigint and string; it joins strings (use CAST to convert)");
    assertThat(onlyError("delay AND flag")).isEqualTo(new ExpressionError(0, 5, "expected a boolean operand for AND, got bigint"));
    assertThat(onlyError("flag OR origin")).isEqualTo(new ExpressionError(8, 6, "expected a boolean operand for OR, got string"));
    assertThat(onlyError("NOT ratio")).isEqualTo(new ExpressionError(4, 5, "expected a boolean operand for NOT, got double"));
    assertThat(onlyError("-origin")).isEqualTo(new ExpressionError(1, 6, "cannot negate string; expected a number"));
    assertThat(onlyError("delay LIKE 'a%'")).isEqualTo(new ExpressionError(0, 5, "expected a string for LIKE, got bigint"));
  }

  @Test
  void caseErrors() {
    assertThat(onlyError("CASE WHEN flag THEN 1 ELSE 'x' END"))
        .isEqualTo(new ExpressionError(27, 3, "cannot mix bigint and string in CASE results"));
    assertThat(onlyError("CASE WHEN delay THEN 1 END"))
        .isEqualTo(new ExpressionError(10, 5, "expected a boolean WHEN condition, got bigint"));
    assertThat(onlyError("COALESCE(origin, 1)").message()).isEqualTo("cannot mix string and bigint in COALESCE arguments");
    assertThat(onlyError("IF(delay, 1, 2)").message()).isEqualTo("IF expects a boolean as argument 1, got bigint");
  }

  @Test
  void castErrors() {
    assertThat(onlyError("CAST(delay AS decimal)"))
        .isEqualTo(new ExpressionError(14, 7, "unknown type 'decimal'; expected bigint, double, string, boolean or timestamp"));
    assertThat(onlyError("CAST(flag AS timestamp)").message()).isEqualTo("cannot cast boolean to timestamp");
    assertThat(compile("CAST(delay AS timestamp)").type()).isEqualTo(DataType.TIMESTAMP);
  }

  @Test
  void functionErrors() {
    assertThat(onlyError("coalese(delay, 0)"))
        .isEqualTo(new ExpressionError(0, 7, "unknown function 'coalese'; did you mean 'COALESCE'?"));
    assertThat(onlyError("frobnicate(delay)").message()).startsWith("unknown function 'frobnicate'; known functions: ABS, CEIL");
    assertThat(onlyError("ABS(delay, 1)")).isEqualTo(new ExpressionError(0, 3, "ABS expects 1 argument, got 2"));
    assertThat(onlyError("ROUND()").message()).isEqualTo("ROUND expects 1 or 2 arguments, got 0");
    assertThat(onlyError("COALESCE()").message()).isEqualTo("COALESCE expects at least 1 argument, got 0");
    assertThat(onlyError("UPPER(delay)")).isEqualTo(new ExpressionError(6, 5, "UPPER expects a string as argument 1, got bigint"));
    assertThat(onlyError("SUBSTR(origin, 1.5)").message()).isEqualTo("SUBSTR expects a bigint as argument 2, got double");
    assertThat(onlyError("HOUR('2001-01-01')").message())
        .isEqualTo("HOUR expects a timestamp as argument 1, got string; write a timestamp as TIMESTAMP '2001-01-01T00:00:00Z'");
    assertThat(onlyError("ROUND(ratio, delay)").message()).startsWith("ROUND expects the number of decimal places as argument 2");
    assertThat(onlyError("DATE_TRUNC('week', date)").message())
        .isEqualTo("DATE_TRUNC expects the unit 'day', 'hour' or 'minute' as argument 1");
    assertThat(onlyError("GREATEST(flag, flag)").message()).isEqualTo("GREATEST expects numbers, strings or timestamps, got boolean");
  }

  @Test
  void reportsAllTypeErrorsInTextOrder() {
    ExpressionResult r = Expressions.compile("dealy > 5 AND origin = 5 AND UPPER(delay) = 'X' AND flag", SCHEMA);
    assertThat(r.expr()).isEmpty();
    assertThat(r.errors())
        .extracting(ExpressionError::offset, ExpressionError::message)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(0, "unknown column 'dealy'; did you mean 'delay'?"),
            org.assertj.core.groups.Tuple.tuple(21, "cannot compare string with bigint"),
            org.assertj.core.groups.Tuple.tuple(35, "UPPER expects a string as argument 1, got bigint"));
  }

  @Test
  void errorsDoNotCascade() {
    // One unknown column inside nested operators is one error, not one per enclosing operator.
    assertThat(Expressions.compile("ABS(dealy + 1) * 2 > 3 AND flag", SCHEMA).errors()).hasSize(1);
  }

  @Test
  void columnsAreCollectedInOrder() {
    assertThat(compile("CASE WHEN flag THEN delay ELSE distance + delay END").columns())
        .containsExactly("flag", "delay", "distance");
    assertThat(compile("1 + 2").columns()).isEmpty();
  }
}
