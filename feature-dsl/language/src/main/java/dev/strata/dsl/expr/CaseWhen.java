package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * {@code CASE WHEN c THEN x ... [ELSE y] END}, or with an {@code operand} the simple form {@code
 * CASE operand WHEN v THEN x ... END}, where a branch is taken when {@code operand = v} is true.
 * Without ELSE the result is NULL when no branch is taken. The type unifies the results (bigint
 * and double give double).
 *
 * @param operand the simple form's operand, or null for the searched form
 * @param elseValue the ELSE result, or null when there is no ELSE
 */
public record CaseWhen(TypedExpr operand, List<Branch> branches, TypedExpr elseValue, DataType type)
    implements TypedExpr {

  /** One {@code WHEN when THEN then}. */
  public record Branch(TypedExpr when, TypedExpr then) {
    public Branch {
      Objects.requireNonNull(when, "when");
      Objects.requireNonNull(then, "then");
    }
  }

  public CaseWhen {
    branches = List.copyOf(branches);
    Objects.requireNonNull(type, "type");
    if (branches.isEmpty()) {
      throw new IllegalArgumentException("Cannot create CASE: there must be at least one WHEN");
    }
    for (Branch b : branches) {
      if (operand == null && b.when().type() != DataType.BOOLEAN) {
        throw new IllegalArgumentException("Cannot create CASE: a WHEN condition is " + b.when().type());
      } else if (operand != null) {
        Types.checkComparable("CASE", operand.type(), b.when().type(), true);
      }
    }
    for (TypedExpr result : results(branches, elseValue)) {
      if (!Types.widensTo(result.type(), type)) {
        throw new IllegalArgumentException(
            "Cannot create CASE of type " + type + ": a result is " + result.type());
      }
    }
  }

  /** A CASE whose type unifies the result types. */
  public static CaseWhen of(TypedExpr operand, List<Branch> branches, TypedExpr elseValue) {
    List<DataType> types = results(branches, elseValue).stream().map(TypedExpr::type).toList();
    DataType type = Types.unifyAll(types);
    if (type == null) {
      throw new IllegalArgumentException("Cannot create CASE: incompatible result types " + types);
    }
    return new CaseWhen(operand, branches, elseValue, type);
  }

  /** The THEN values and the ELSE value, if any. */
  public List<TypedExpr> results() {
    return results(branches, elseValue);
  }

  private static List<TypedExpr> results(List<Branch> branches, TypedExpr elseValue) {
    List<TypedExpr> results = new ArrayList<>();
    branches.forEach(b -> results.add(b.then()));
    if (elseValue != null) {
      results.add(elseValue);
    }
    return results;
  }

  @Override
  public List<TypedExpr> children() {
    List<TypedExpr> all = new ArrayList<>();
    if (operand != null) {
      all.add(operand);
    }
    for (Branch b : branches) {
      all.add(b.when());
      all.add(b.then());
    }
    if (elseValue != null) {
      all.add(elseValue);
    }
    return List.copyOf(all);
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.caseWhen(this);
  }
}
