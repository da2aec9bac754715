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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
      if (map.keyPattern() != null && !key.matches(map.keyPattern())) {
        error(keyNode, "'" + key + "' is not a valid name: use letters, digits and _, starting with a letter");
      }
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

  private boolean checkScalar(Node node, Scalar s, String what) {
    if (!(node instanceof ScalarNode scalar) || YamlNodes.isNull(node)) {
      error(node, what + " must be " + s.expected() + ", got " + describe(node));
      return false;
    }
    String v = scalar.getValue();
    Tag tag = scalar.getTag();
    boolean ok =
        switch (s.kind()) {
          case STRING, EXPRESSION -> !v.isBlank();
          case NAME -> v.matches(LanguageSpec.NAME_PATTERN);
          case INTEGER -> Tag.INT.equals(tag);
          case NUMBER -> Tag.INT.equals(tag) || Tag.FLOAT.equals(tag);
          case BOOLEAN -> Tag.BOOL.equals(tag);
          case DURATION -> Durations.isDuration(v);
          case WINDOW -> "lifetime".equals(v) || Durations.isDuration(v);
          case DATE -> isInstant(v);
          case TYPE -> java.util.Arrays.asList(DataType.primitiveNames()).contains(v);
          case ENUM -> s.values().contains(v);
        };
    if (!ok) {
      String hint = s.kind() == Shape.Kind.ENUM ? Suggestions.hint(v, s.values()) : "";
      if (s.kind() == Shape.Kind.ENUM && hint.startsWith("; expected")) {
        hint = ""; // expected() already lists the values
      }
      error(node, what + " must be " + s.expected() + ", got '" + v + "'" + hint);
    }
    return ok;
  }

  private static boolean isInstant(String v) {
    try {
      Durations.parseInstant(v);
      return true;
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  static String describe(Node node) {
    if (YamlNodes.isNull(node)) {
      return "nothing";
    } else if (node instanceof MappingNode) {
      return "a mapping";
    } else if (node instanceof SequenceNode) {
      return "a list";
    }
    return "'" + ((ScalarNode) node).getValue() + "'";
  }

}
