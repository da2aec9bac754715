package dev.strata.dsl.lang;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The shape of a YAML value in the definition language. The language is declared once as a
 * tree of shapes ({@link LanguageSpec}); the same tree checks definitions ({@link ShapeChecker})
 * and is exported as JSON Schema ({@link JsonSchemaExporter}), so the two cannot disagree.
 */
public sealed interface Shape
    permits Shape.Scalar, Shape.Obj, Shape.MapOf, Shape.ListOf, Shape.AnyOf {

  String description();

  /** What a user should have written, for messages: "a duration such as 1h or 7d". */
  String expected();

  enum Kind {
    STRING("a string"),
    NAME("a name (letters and digits, single _ between them, starting with a letter)"),
    COLUMN("a column name (letters, digits and _, starting with a letter)"),
    TOPIC("a Kafka topic name"),
    EXPRESSION("an expression"),
    INTEGER("an integer"),
    NUMBER("a number"),
    BOOLEAN("true or false"),
    DURATION("a duration such as 30s, 15m, 1h or 7d"),
    WINDOW("a window such as 1h, 7d or lifetime"),
    DATE("a date such as 2001-01-01 or an ISO-8601 instant"),
    TYPE("a type: boolean, int, bigint, double, string or timestamp"),
    ENUM("one of the allowed values");

    private final String expected;

    Kind(String expected) {
      this.expected = expected;
    }

    public String expected() {
      return expected;
    }
  }

  record Scalar(Kind kind, List<String> values, String description) implements Shape {
    public Scalar {
      values = List.copyOf(values);
    }

    @Override
    public String expected() {
      return kind == Kind.ENUM ? "one of " + String.join(", ", values) : kind.expected();
    }
  }

  /** A mapping with a fixed set of keys. */
  record Obj(String title, Map<String, Property> properties, String description) implements Shape {
    public Obj {
      properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
    }

    @Override
    public String expected() {
      return "a mapping (" + title + ")";
    }
  }

  record Property(Shape shape, boolean required) {}

  /** A mapping from user-chosen names to values of one shape (e.g. entities by name). */
  record MapOf(Shape values, String keyPattern, String description) implements Shape {
    @Override
    public String expected() {
      return "a mapping of names to " + values.expected();
    }
  }

  record ListOf(Shape items, int minItems, String description) implements Shape {
    @Override
    public String expected() {
      return "a list of " + items.expected();
    }
  }

  /** The first alternative whose node kind fits is used (scalar, list or mapping). */
  record AnyOf(List<Shape> alternatives, String description) implements Shape {
    public AnyOf {
      alternatives = List.copyOf(alternatives);
    }

    @Override
    public String expected() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < alternatives.size(); i++) {
        sb.append(i == 0 ? "" : " or ").append(alternatives.get(i).expected());
      }
      return sb.toString();
    }
  }

  /** Builds an {@link Obj} with properties in declaration order. */
  static ObjBuilder object(String title, String description) {
    return new ObjBuilder(title, description);
  }

  final class ObjBuilder {
    private final String title;
    private final String description;
    private final Map<String, Property> properties = new LinkedHashMap<>();

    private ObjBuilder(String title, String description) {
      this.title = title;
      this.description = description;
    }

    public ObjBuilder required(String key, Shape shape) {
      properties.put(key, new Property(shape, true));
      return this;
    }

    public ObjBuilder optional(String key, Shape shape) {
      properties.put(key, new Property(shape, false));
      return this;
    }

    public Obj build() {
      return new Obj(title, properties, description);
    }
  }
}
