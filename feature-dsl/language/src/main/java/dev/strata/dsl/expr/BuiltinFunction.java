package dev.strata.dsl.expr;

import dev.strata.dsl.types.DataType;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The functions of the expression language. Names are case-insensitive; all return NULL when an
 * argument is NULL except COALESCE, NULLIF, IF, GREATEST and LEAST (which skip NULLs).
 */
public enum BuiltinFunction {
  COALESCE(1, -1),
  NULLIF(2, 2),
  IF(3, 3),
  GREATEST(2, -1),
  LEAST(2, -1),
  ABS(1, 1),
  ROUND(1, 2),
  FLOOR(1, 1),
  CEIL(1, 1, "CEILING"),
  SQRT(1, 1),
  LN(1, 1),
  LOG10(1, 1),
  EXP(1, 1),
  POWER(2, 2, "POW"),
  SIGN(1, 1, "SIGNUM"),
  LOWER(1, 1),
  UPPER(1, 1),
  LENGTH(1, 1),
  TRIM(1, 1),
  SUBSTR(2, 3, "SUBSTRING"),
  CONCAT(1, -1),
  STARTS_WITH(2, 2),
  ENDS_WITH(2, 2),
  CONTAINS(2, 2),
  HOUR(1, 1),
  MINUTE(1, 1),
  DAY_OF_WEEK(1, 1),
  DAY_OF_MONTH(1, 1),
  MONTH(1, 1),
  YEAR(1, 1),
  EPOCH_SECONDS(1, 1),
  DATE_TRUNC(2, 2),
  HAVERSINE(4, 4);

  private static final Map<String, BuiltinFunction> BY_NAME =
      Arrays.stream(values())
          .flatMap(f -> Stream.concat(Stream.of(f.name()), f.aliases.stream()).map(n -> Map.entry(n, f)))
          .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));

  private final int minArgs;
  private final int maxArgs;
  private final List<String> aliases;

  BuiltinFunction(int minArgs, int maxArgs, String... aliases) {
    this.minArgs = minArgs;
    this.maxArgs = maxArgs;
    this.aliases = List.of(aliases);
  }

  /** The function for a name or alias, in any case. */
  public static Optional<BuiltinFunction> lookup(String name) {
    return Optional.ofNullable(BY_NAME.get(name.toUpperCase(Locale.ROOT)));
  }

  /** Every accepted name, including aliases. */
  public static List<String> allNames() {
    return BY_NAME.keySet().stream().sorted().toList();
  }

  /** The canonical SQL name, e.g. {@code SUBSTR}. */
  public String sqlName() {
    return name();
  }

  /** The stable name in {@link ExprJson}, e.g. {@code substr}. */
  public String jsonName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public int minArgs() {
    return minArgs;
  }

  /** The largest argument count, or -1 when unbounded. */
  public int maxArgs() {
    return maxArgs;
  }

  public boolean acceptsArgCount(int n) {
    return n >= minArgs && (maxArgs < 0 || n <= maxArgs);
  }

  /** "1 argument", "2 or 3 arguments", "at least 2 arguments". */
  String arity() {
    if (maxArgs < 0) {
      return "at least " + plural(minArgs);
    } else if (minArgs == maxArgs) {
      return plural(minArgs);
    } else if (maxArgs == minArgs + 1) {
      return minArgs + " or " + plural(maxArgs);
    }
    return minArgs + " to " + plural(maxArgs);
  }

  private static String plural(int n) {
    return n + (n == 1 ? " argument" : " arguments");
  }

  /**
   * The result type for arguments of the given (already checked) types, or null when they do not
   * unify.
   */
  public DataType resultType(List<DataType> args) {
    switch (this) {
      case COALESCE:
      case GREATEST:
      case LEAST:
        return Types.unifyAll(args);
      case NULLIF:
      case ABS:
      case ROUND:
        // NULLIF(a, b) is a or NULL, so it keeps a's type, as in Spark.
        return args.get(0);
      case IF:
        return Types.unify(args.get(1), args.get(2));
      case FLOOR:
      case CEIL:
      case LENGTH:
      case HOUR:
      case MINUTE:
      case DAY_OF_WEEK:
      case DAY_OF_MONTH:
      case MONTH:
      case YEAR:
      case EPOCH_SECONDS:
        return DataType.LONG;
      case SQRT:
      case LN:
      case LOG10:
      case EXP:
      case POWER:
      case SIGN:
      case HAVERSINE:
        return DataType.DOUBLE;
      case LOWER:
      case UPPER:
      case TRIM:
      case SUBSTR:
      case CONCAT:
        return DataType.STRING;
      case STARTS_WITH:
      case ENDS_WITH:
      case CONTAINS:
        return DataType.BOOLEAN;
      case DATE_TRUNC:
        return DataType.TIMESTAMP;
      default:
        throw new IllegalStateException("Cannot type " + this + ": unknown function");
    }
  }

  /** Names for error messages: canonical names, upper case. */
  static List<String> canonicalNames() {
    return Arrays.stream(values()).map(BuiltinFunction::sqlName).collect(Collectors.toList());
  }
}
