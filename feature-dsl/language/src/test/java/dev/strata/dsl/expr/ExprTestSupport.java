package dev.strata.dsl.expr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;

/** A flights-like schema and helpers shared by the expression tests. */
final class ExprTestSupport {
  static final Schema SCHEMA =
      Schema.builder()
          .add("delay", DataType.LONG)
          .add("distance", DataType.LONG)
          .add("ratio", DataType.DOUBLE)
          .add("origin", DataType.STRING)
          .add("destination", DataType.STRING)
          .add("date", DataType.TIMESTAMP)
          .add("flag", DataType.BOOLEAN)
          .add("origin_delays.avg_delay_1h", DataType.DOUBLE)
          .add("origin_delays.avg_delay_7d", DataType.DOUBLE)
          .add("weird name", DataType.STRING)
          .add("tags", DataType.listOf(DataType.STRING))
          .build();

  private ExprTestSupport() {}

  static TypedExpr compile(String text) {
    return compile(text, SCHEMA);
  }

  static TypedExpr compile(String text, Schema schema) {
    ExpressionResult r = Expressions.compile(text, schema);
    assertThat(r.errors()).as("errors compiling %s", text).isEmpty();
    TypedExpr e = r.expr().orElseThrow();
    // Every compiled expression must survive printing and reading back.
    assertThat(Expressions.compile(e.toSql(), schema).expr()).as("reparse of %s", e.toSql()).contains(e);
    return e;
  }

  static ExpressionError onlyError(String text) {
    return onlyError(text, null, null);
  }

  static ExpressionError onlyError(String text, DataType expected, String role) {
    ExpressionResult r = Expressions.compile(text, SCHEMA, expected, role);
    assertThat(r.expr()).as("result of %s", text).isEmpty();
    assertThat(r.errors()).as("errors of %s", text).hasSize(1);
    return r.errors().get(0);
  }

  static ColumnRef col(String name) {
    return new ColumnRef(name, SCHEMA.find(name).orElseThrow().type());
  }
}
