package dev.strata.dsl.lang;

import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.diag.Suggestions;
import dev.strata.dsl.lang.Shape.AnyOf;
import dev.strata.dsl.lang.Shape.ListOf;
import dev.strata.dsl.lang.Shape.MapOf;
import dev.strata.dsl.lang.Shape.Obj;
import dev.strata.dsl.lang.Shape.Property;
import dev.strata.dsl.lang.Shape.Scalar;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.time.TimeDomain;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Checks a YAML tree against the {@link LanguageSpec}: unknown and missing keys, duplicate keys,
 * and the kind of every value. Reports every mistake; never stops at the first.
 */
public final class ShapeChecker {
  private final String file;
  private final Diagnostics diagnostics;

  public ShapeChecker(String file, Diagnostics diagnostics) {
    this.file = file;
    this.diagnostics = diagnostics;
  }

  /** Checks {@code node}; returns true when it has the shape (nested mistakes are still reported). */
  public boolean check(Node node, Shape shape, String what) {
    if (shape instanceof Obj obj) {
      return checkObject(node, obj, what);
    } else if (shape instanceof MapOf map) {
      return checkMap(node, map, what);
    } else if (shape instanceof ListOf list) {
      return checkList(node, list, what);
    } else if (shape instanceof AnyOf any) {
      return checkAny(node, any, what);
    }
    return checkScalar(node, (Scalar) shape, what);
  }

  private void error(Node node, String message) {
    diagnostics.error(YamlNodes.pos(file, node), message);
  }

  /**
   * The key of a mapping entry when it is a plain scalar seen for the first time in this
   * mapping; otherwise reports why not and returns null.
   */
  private ScalarNode firstKey(NodeTuple t, Map<String, Node> seen, String what, String noun) {
    if (!(t.getKeyNode() instanceof ScalarNode keyNode)) {
      error(t.getKeyNode(), "keys of " + what + " must be plain names");
      return null;
    }
    Node first = seen.putIfAbsent(keyNode.getValue(), keyNode);
    if (first != null) {
      error(keyNode, "duplicate " + noun + " '" + keyNode.getValue() + "' in " + what + " (first at line "
          + YamlNodes.pos(file, first).line() + ")");
      return null;
    }
    return keyNode;
  }

  private boolean checkObject(Node node, Obj obj, String what) {
    if (!(node instanceof MappingNode mapping)) {
      error(node, what + " must be " + obj.expected() + ", got " + describe(node));
      return false;
    }
    Map<String, Node> seen = new HashMap<>();
    for (NodeTuple t : mapping.getValue()) {
      ScalarNode keyNode = firstKey(t, seen, what, "key");
      if (keyNode == null) {
        continue;
      }
      String key = keyNode.getValue();
      Property p = obj.properties().get(key);
      if (p == null) {
        error(keyNode, "unknown key '" + key + "' in " + obj.title() + Suggestions.hint(key, obj.properties().keySet()));
        continue;
      }
      check(t.getValueNode(), p.shape(), "'" + key + "'");
    }
    String name = YamlNodes.text(YamlNodes.get(node, "name"));
    String label = obj.title() + (name != null ? " '" + name + "'" : what.startsWith("'") ? " " + what : "");
    for (Map.Entry<String, Property> e : obj.properties().entrySet()) {
      if (e.getValue().required() && !seen.containsKey(e.getKey())) {
        error(node, label + " is missing required key '" + e.getKey() + "'");
      }
    }
    return true;
  }

  private boolean checkMap(Node node, MapOf map, String what) {
    if (YamlNodes.isNull(node)) {
      return true; // an empty section: "entities:" with nothing under it
    }
    if (!(node instanceof MappingNode mapping)) {
      error(node, what + " must be " + map.expected() + ", got " + describe(node));
      return false;
    }
    Map<String, Node> seen = new HashMap<>();
    for (NodeTuple t : mapping.getValue()) {
      ScalarNode keyNode = firstKey(t, seen, what, "name");
      if (keyNode == null) {
        continue;
      }
      String key = keyNode.getValue();
      keyProblem(key, map.keyPattern()).ifPresent(p -> error(keyNode, p));
      check(t.getValueNode(), map.values(), "'" + key + "'");
    }
    return true;
  }

  private boolean checkList(Node node, ListOf list, String what) {
    if (!(node instanceof SequenceNode seq)) {
      error(node, what + " must be " + list.expected() + ", got " + describe(node));
      return false;
    }
    if (seq.getValue().size() < list.minItems()) {
      error(node, what + " must have at least " + list.minItems() + " item" + (list.minItems() == 1 ? "" : "s"));
    }
    for (Node item : seq.getValue()) {
      check(item, list.items(), "an item of " + what);
    }
    return true;
  }

  private boolean checkAny(Node node, AnyOf any, String what) {
    for (Shape alt : any.alternatives()) {
      boolean fits =
          (node instanceof ScalarNode && alt instanceof Scalar)
              || (node instanceof SequenceNode && alt instanceof ListOf)
              || (node instanceof MappingNode && (alt instanceof Obj || alt instanceof MapOf));
      if (fits) {
        return check(node, alt, what);
      }
    }
    error(node, what + " must be " + any.expected() + ", got " + describe(node));
    return false;
  }

  /** Why a key of a map whose keys follow {@code pattern} is not one, if it is not. */
  private static Optional<String> keyProblem(String key, String pattern) {
    if (pattern == null) {
      return Optional.empty();
    } else if (pattern.equals(NameRules.NAME_PATTERN)) {
      return NameRules.nameProblem(key);
    } else if (pattern.equals(NameRules.COLUMN_PATTERN)) {
      return NameRules.columnProblem(key);
    }
    return key.matches(pattern) ? Optional.empty() : Optional.of(NameRules.quote(key) + " is not a valid key here");
  }

  private boolean checkScalar(Node node, Scalar s, String what) {
    if (!(node instanceof ScalarNode scalar) || YamlNodes.isNull(node)) {
      error(node, what + " must be " + s.expected() + ", got " + describe(node));
      return false;
    }
    String v = scalar.getValue();
    Tag tag = scalar.getTag();
    Optional<String> problem =
        switch (s.kind()) {
          case NAME -> NameRules.nameProblem(v);
          case COLUMN -> NameRules.columnProblem(v);
          case TOPIC -> NameRules.topicProblem(v);
          case DURATION, WINDOW -> durationProblem(v);
          case DATE -> dateProblem(v);
          case INTEGER, NUMBER -> numberProblem(v, tag, s.kind() == Shape.Kind.INTEGER);
          default -> Optional.empty();
        };
    if (problem.isPresent()) {
      // A name's problem names it; the same sentence as NameChecker's, so a name is reported once.
      boolean name = s.kind() == Shape.Kind.NAME || s.kind() == Shape.Kind.COLUMN;
      error(node, name ? problem.get() : what + ": " + problem.get());
      return false;
    }
    boolean ok =
        switch (s.kind()) {
          case STRING, EXPRESSION -> !v.isBlank();
          case NAME, COLUMN, TOPIC -> true;
          case INTEGER -> Tag.INT.equals(tag);
          case NUMBER -> Tag.INT.equals(tag) || Tag.FLOAT.equals(tag);
          case BOOLEAN -> Tag.BOOL.equals(tag);
          case DURATION -> durationMicros(v) != null;
          case WINDOW -> "lifetime".equals(v) || durationMicros(v) != null;
          case DATE -> true;
          case TYPE -> java.util.Arrays.asList(DataType.primitiveNames()).contains(v);
          case ENUM -> s.values().contains(v);
        };
    if (!ok) {
      String hint = s.kind() == Shape.Kind.ENUM ? Suggestions.hint(v, s.values()) : "";
      if (s.kind() == Shape.Kind.ENUM && hint.startsWith("; expected")) {
        hint = ""; // expected() already lists the values
      }
      error(node, what + " must be " + s.expected() + ", got " + describe(node) + hint);
    }
    return ok;
  }

  private static final Pattern DURATION_SYNTAX = Pattern.compile("\\s*(\\d+)\\s*([smhd])\\s*");

  /**
   * The microseconds of a duration that Strata can use (positive, at most {@link
   * TimeDomain#MAX_WINDOW}), or null.
   */
  static Long durationMicros(String text) {
    if (text == null || !Durations.isDuration(text)) {
      return null;
    }
    long micros = Durations.parseMicros(text);
    return micros <= TimeDomain.MAX_WINDOW ? micros : null;
  }

  /** Why a duration-shaped text cannot be used; empty for valid durations and for other text. */
  private static Optional<String> durationProblem(String v) {
    Matcher m = DURATION_SYNTAX.matcher(v);
    if (!m.matches() || durationMicros(v) != null) {
      return Optional.empty();
    }
    if (m.group(1).matches("0+")) {
      return Optional.of("duration '" + v + "' must be positive");
    }
    return Optional.of("duration " + NameRules.quote(v) + " is longer than Strata's time range (at most "
        + Durations.format(TimeDomain.MAX_WINDOW) + "; for a window over all time use lifetime)");
  }

  private static Optional<String> dateProblem(String v) {
    long micros;
    try {
      micros = Durations.parseInstant(v);
    } catch (IllegalArgumentException e) {
      return Optional.of("expected a date such as 2001-01-01 or an ISO-8601 instant, got " + shown(v));
    } catch (RuntimeException e) { // a valid ISO-8601 year such as +999999999 is beyond a long of microseconds
      micros = Long.MAX_VALUE;
    }
    if (!TimeDomain.contains(micros)) {
      return Optional.of("date " + shown(v) + " is outside Strata's time range [0001-01-01, 10000-01-01)");
    }
    return Optional.empty();
  }

  /** Why a number-tagged scalar is not a usable number; empty for other text (reported as not a number). */
  private static Optional<String> numberProblem(String v, Tag tag, boolean integer) {
    if (Tag.INT.equals(tag)) {
      Long n = YamlNumbers.parseLong(v);
      // settings (replicas, ports) are ints; arguments may be any bigint
      long most = integer ? Integer.MAX_VALUE : Long.MAX_VALUE;
      if (n == null && !v.trim().matches("[-+]?[0-9]+")) {
        return Optional.of(shown(v) + " is not a decimal integer");
      } else if (n == null || Math.abs((double) n) > most) {
        return Optional.of("integer " + shown(v) + " is out of range (at most " + most + " in magnitude)");
      }
    } else if (Tag.FLOAT.equals(tag) && !integer) {
      Double d = YamlNumbers.parseDouble(v);
      if (d == null) {
        return Optional.of(shown(v) + " is not a number");
      } else if (d.isNaN() || d.isInfinite()) {
        return Optional.of("number " + shown(v) + " must be finite");
      }
    }
    return Optional.empty();
  }

  static String describe(Node node) {
    if (YamlNodes.isNull(node)) {
      return "nothing";
    } else if (node instanceof MappingNode) {
      return "a mapping";
    } else if (node instanceof SequenceNode) {
      return "a list";
    }
    ScalarNode s = (ScalarNode) node;
    boolean looksTyped = s.getValue().matches("true|false|[-+]?[0-9][0-9_.eE+-]*");
    if (Tag.STR.equals(s.getTag()) && looksTyped) {
      return "the text " + shown(s.getValue()) + " (quoted or tagged !!str; write it without quotes or tag)";
    }
    return shown(s.getValue());
  }

  /** A value for messages: quoted, cut short when long. */
  static String shown(String value) {
    return NameRules.quote(value);
  }
}
