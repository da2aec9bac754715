package dev.strata.dsl.expr;

/** Translates a {@link TypedExpr} tree node by node, e.g. into Spark Columns or evaluators. */
public interface ExprVisitor<R> {
  R literal(Literal literal);

  R column(ColumnRef column);

  R unary(Unary unary);

  R binary(Binary binary);

  R in(InList in);

  R between(Between between);

  R like(Like like);

  R caseWhen(CaseWhen caseWhen);

  R cast(Cast cast);

  R call(Call call);
}
