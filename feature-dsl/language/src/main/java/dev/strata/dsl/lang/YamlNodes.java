package dev.strata.dsl.lang;

import dev.strata.dsl.diag.SourcePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/** Small, null-tolerant accessors over SnakeYAML nodes that keep source positions. */
public final class YamlNodes {
  private YamlNodes() {}

  /** A key of a mapping with its value; {@code keyPos} is where the key is written. */
  public record Entry(String key, SourcePosition keyPos, Node value) {}

  public static SourcePosition pos(String file, Node node) {
    Optional<Mark> mark = node == null ? Optional.empty() : node.getStartMark();
    return mark.map(m -> new SourcePosition(file, m.getLine() + 1, m.getColumn() + 1))
        .orElse(new SourcePosition(file, 1, 1));
  }

  public static boolean isNull(Node node) {
    return node == null || (node instanceof ScalarNode s && Tag.NULL.equals(s.getTag()));
  }

  /** The entries of a mapping in written order, or none when {@code node} is not a mapping. */
  public static List<Entry> entries(String file, Node node) {
    List<Entry> out = new ArrayList<>();
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k) {
          out.add(new Entry(k.getValue(), pos(file, k), t.getValueNode()));
        }
      }
    }
    return out;
  }

  /** The value of {@code key} in a mapping, or null. The first occurrence wins. */
  public static Node get(Node node, String key) {
    if (node instanceof MappingNode m) {
      for (NodeTuple t : m.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
          return t.getValueNode();
        }
      }
    }
    return null;
  }

  /** The text of a non-null scalar, or null. */
  public static String text(Node node) {
    if (node instanceof ScalarNode s && !Tag.NULL.equals(s.getTag())) {
      return s.getValue();
    }
    return null;
  }

  public static String text(Node mapping, String key) {
    return text(get(mapping, key));
  }

  public static List<Node> items(Node node) {
    return node instanceof SequenceNode s ? s.getValue() : List.of();
  }

  /** Where the characters of a scalar's text start: after the quote of a quoted scalar. */
  public static SourcePosition textPos(String file, Node node) {
    SourcePosition p = pos(file, node);
    if (node instanceof ScalarNode s) {
      switch (s.getScalarStyle()) {
        case DOUBLE_QUOTED:
        case SINGLE_QUOTED:
          return p.plusColumns(1);
        default:
          return p;
      }
    }
    return p;
  }
}
