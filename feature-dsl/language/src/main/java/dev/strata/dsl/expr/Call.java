package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/** A call of a {@link BuiltinFunction}. */
public record Call(BuiltinFunction function, List<TypedExpr> args, DataType type) implements TypedExpr {
  public Call {
    Objects.requireNonNull(function, "function");
    args = List.copyOf(args);
    Objects.requireNonNull(type, "type");
    if (!function.acceptsArgCount(args.size())) {
      throw new IllegalArgumentException(
          "Cannot create call: " + function.sqlName() + " expects " + function.arity() + ", got " + args.size());
    }
  }

  /** A call whose type follows from the function and the argument types. */
  public static Call of(BuiltinFunction function, List<TypedExpr> args) {
    DataType type = function.resultType(args.stream().map(TypedExpr::type).toList());
    if (type == null) {
      throw new IllegalArgumentException(
          "Cannot create call: incompatible argument types for " + function.sqlName());
    }
    return new Call(function, args, type);
  }

  public static Call of(BuiltinFunction function, TypedExpr... args) {
    return of(function, Arrays.asList(args));
  }

  @Override
  public List<TypedExpr> children() {
    return args;
  }

  @Override
  public <R> R accept(ExprVisitor<R> visitor) {
    return visitor.call(this);
  }
}
