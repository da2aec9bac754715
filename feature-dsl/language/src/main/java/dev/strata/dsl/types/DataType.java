package dev.strata.dsl.types;

import java.util.Locale;
import java.util.Objects;

/**
 * The types of the Strata language. Integers are always 64-bit, floating point is always
 * double, timestamps are UTC instants with microsecond precision.
 *
 * <p>Java representation of values (used by the expression interpreter, the aggregations and
 * the oracle): BOOLEAN {@link Boolean}, LONG {@link Long}, DOUBLE {@link Double}, STRING
 * {@link String}, TIMESTAMP {@link Long} microseconds since the epoch, LIST {@link
 * java.util.List}, MAP {@link java.util.Map}; SQL NULL is Java {@code null}.
 */
public sealed interface DataType permits DataType.Primitive, DataType.ListType, DataType.MapType {

  /** The name used in plans and error messages, e.g. {@code bigint}, {@code array<double>}. */
  String sqlName();

  default boolean isNumeric() {
    return this == Primitive.LONG || this == Primitive.DOUBLE;
  }

  /** True when a value of this type may stand where {@code to} is expected: the same type, or bigint for double. */
  default boolean widensTo(DataType to) {
    return equals(to) || (this == Primitive.LONG && to == Primitive.DOUBLE);
  }

  default boolean isOrderable() {
    return this instanceof Primitive p && p != Primitive.BOOLEAN;
  }

  enum Primitive implements DataType {
    BOOLEAN("boolean"),
    LONG("bigint"),
    DOUBLE("double"),
    STRING("string"),
    TIMESTAMP("timestamp");

    private final String sqlName;

    Primitive(String sqlName) {
      this.sqlName = sqlName;
    }

    @Override
    public String sqlName() {
      return sqlName;
    }

    @Override
    public String toString() {
      return sqlName;
    }
  }

  DataType BOOLEAN = Primitive.BOOLEAN;
  DataType LONG = Primitive.LONG;
  DataType DOUBLE = Primitive.DOUBLE;
  DataType STRING = Primitive.STRING;
  DataType TIMESTAMP = Primitive.TIMESTAMP;

  record ListType(DataType element) implements DataType {
    public ListType {
      Objects.requireNonNull(element, "element");
    }

    @Override
    public String sqlName() {
      return "array<" + element.sqlName() + ">";
    }

    @Override
    public String toString() {
      return sqlName();
    }
  }

  record MapType(DataType key, DataType value) implements DataType {
    public MapType {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(value, "value");
    }

    @Override
    public String sqlName() {
      return "map<" + key.sqlName() + "," + value.sqlName() + ">";
    }

    @Override
    public String toString() {
      return sqlName();
    }
  }

  static DataType listOf(DataType element) {
    return new ListType(element);
  }

  static DataType mapOf(DataType key, DataType value) {
    return new MapType(key, value);
  }

  /** The names a source schema may use for each primitive type. */
  static String[] primitiveNames() {
    return new String[] {
      "boolean", "bool", "int", "integer", "long", "bigint", "float", "double", "string", "varchar",
      "timestamp"
    };
  }

  /**
   * Parses a primitive type name as written in a source schema ({@code int}, {@code bigint},
   * {@code double}, {@code string}, {@code timestamp}, ...) or a plan ({@code array<double>}).
   *
   * @return the type, or null when the name is not a type
   */
  static DataType parseOrNull(String name) {
    if (name == null) {
      return null;
    }
    String n = name.trim().toLowerCase(Locale.ROOT).replace(" ", "");
    if (n.startsWith("array<") && n.endsWith(">")) {
      DataType element = parseOrNull(n.substring(6, n.length() - 1));
      return element == null ? null : listOf(element);
    }
    if (n.startsWith("map<") && n.endsWith(">")) {
      String inner = n.substring(4, n.length() - 1);
      int depth = 0;
      for (int i = 0; i < inner.length(); i++) {
        char c = inner.charAt(i);
        if (c == '<') {
          depth++;
        } else if (c == '>') {
          depth--;
        } else if (c == ',' && depth == 0) {
          DataType k = parseOrNull(inner.substring(0, i));
          DataType v = parseOrNull(inner.substring(i + 1));
          return k == null || v == null ? null : mapOf(k, v);
        }
      }
      return null;
    }
    switch (n) {
      case "boolean":
      case "bool":
        return BOOLEAN;
      case "int":
      case "integer":
      case "long":
      case "bigint":
        return LONG;
      case "float":
      case "double":
        return DOUBLE;
      case "string":
      case "varchar":
        return STRING;
      case "timestamp":
        return TIMESTAMP;
      default:
        return null;
    }
  }
}
