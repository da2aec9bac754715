package dev.strata.dsl.lang;

import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.diag.SourcePosition;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.api.lowlevel.Parse;
import org.snakeyaml.engine.v2.events.CollectionEndEvent;
import org.snakeyaml.engine.v2.events.CollectionStartEvent;
import org.snakeyaml.engine.v2.events.DocumentEndEvent;
import org.snakeyaml.engine.v2.events.Event;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.ReaderException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads YAML files (definitions and {@code strata.yaml}) within documented limits, so that no
 * file of any size, depth or encoding yields more than a positioned message: UTF-8 text of at
 * most {@link #MAX_FILE_BYTES}, collections nested at most {@link #MAX_DEPTH} deep, at most
 * {@link #MAX_NODES} nodes per document once aliases are expanded, and no alias inside the
 * collection it names. SnakeYAML Engine composes recursively and has no depth limit of its
 * own, hence the check of the event stream before composing.
 */
public final class YamlDocuments {
  /** Largest file: 3 MiB (SnakeYAML Engine's default limit of code points). */
  public static final int MAX_FILE_BYTES = 3 * 1024 * 1024;
  /** Deepest nesting of lists and mappings; the language itself needs fewer than 10 levels. */
  public static final int MAX_DEPTH = 64;
  /** Most nodes of one document, counting each use of an alias: keeps "billion laughs" small. */
  public static final int MAX_NODES = 100_000;

  private YamlDocuments() {}

  /**
   * The text of {@code file}, or null after reporting (at {@code label}) why it is not readable
   * UTF-8 text of at most {@link #MAX_FILE_BYTES}. A leading byte order mark is dropped.
   */
  public static String readFile(Path file, String label, Diagnostics diags) {
    SourcePosition start = new SourcePosition(label, 1, 1);
    byte[] bytes;
    try {
      long size = Files.size(file);
      if (size > MAX_FILE_BYTES) {
        diags.error(start, "cannot read file: it has " + size + " bytes; YAML files have at most " + MAX_FILE_BYTES
            + " (3 MiB)");
        return null;
      }
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      diags.error(start, "cannot read file: it does not exist");
      return null;
    } catch (IOException | SecurityException e) {
      diags.error(start, "cannot read file: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
      return null;
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length + 1);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    out.flip();
    if (result.isError()) {
      int bad = in.position();
      SourcePosition at = position(label, out, out.length());
      diags.error(at, String.format(Locale.ROOT, "cannot read file: byte 0x%02X (at byte %d) is not UTF-8 text; "
          + "save the file as UTF-8", bytes[bad] & 0xff, bad));
      return null;
    }
    String text = out.toString();
    return text.startsWith("\uFEFF") ? text.substring(1) : text;
  }

  /**
   * The non-empty documents of {@code text}. A mistake (invalid YAML, a limit exceeded) is
   * reported at its position, and the documents before the one with the mistake are returned.
   */
  public static List<Node> compose(String label, String text, boolean allowDuplicateKeys, Diagnostics diags) {
    if (text.length() > MAX_FILE_BYTES) {
      diags.error(new SourcePosition(label, 1, 1), "cannot read file: it has " + text.length()
          + " characters; YAML files have at most " + MAX_FILE_BYTES + " (3 MiB)");
      return List.of();
    }
    LoadSettings settings = LoadSettings.builder()
        .setLabel(label)
        .setAllowDuplicateKeys(allowDuplicateKeys)
        .setCodePointLimit(MAX_FILE_BYTES)
        .build();
    int wholeDocuments = checkEvents(label, text, settings, diags);
    List<Node> docs = new ArrayList<>();
    try {
      Iterator<Node> it = new Compose(settings).composeAllFromString(text).iterator();
      for (int i = 0; i < wholeDocuments && it.hasNext(); i++) {
        Node doc = it.next();
        if (!checkNodes(label, doc, diags)) {
          break;
        }
        if (!YamlNodes.isNull(doc)) {
          docs.add(doc);
        }
      }
    } catch (YamlEngineException e) {
      report(label, text, e, diags);
    }
    return docs;
  }

  /**
   * Checks the syntax and the depth of every document without composing; returns how many
   * documents are whole (all of them, or those before the first mistake, which is reported).
   */
  private static int checkEvents(String label, String text, LoadSettings settings, Diagnostics diags) {
    int depth = 0;
    int documents = 0;
    try {
      for (Event e : new Parse(settings).parseString(text)) {
        if (e instanceof CollectionStartEvent) {
          if (++depth > MAX_DEPTH) {
            diags.error(mark(label, e.getStartMark().orElse(null)),
                "YAML is nested too deeply: lists and mappings nest at most " + MAX_DEPTH + " levels");
            return documents;
          }
        } else if (e instanceof CollectionEndEvent) {
          depth--;
        } else if (e instanceof DocumentEndEvent) {
          documents++;
        }
      }
    } catch (YamlEngineException ex) {
      report(label, text, ex, diags);
      return documents;
    }
    return documents;
  }

  /** Walks a composed document without recursion: depth through aliases, size, and aliases inside themselves. */
  private static boolean checkNodes(String label, Node doc, Diagnostics diags) {
    Map<Node, Boolean> onPath = new IdentityHashMap<>();
    Deque<Object[]> stack = new ArrayDeque<>(); // {node, children iterator}
    stack.push(new Object[] {doc, children(doc).iterator()});
    onPath.put(doc, true);
    long nodes = 1;
    while (!stack.isEmpty()) {
      Object[] top = stack.peek();
      @SuppressWarnings("unchecked")
      Iterator<Node> it = (Iterator<Node>) top[1];
      if (!it.hasNext()) {
        onPath.remove((Node) top[0]);
        stack.pop();
        continue;
      }
      Node child = it.next();
      if (++nodes > MAX_NODES) {
        diags.error(YamlNodes.pos(label, child), "YAML document is too large: at most " + MAX_NODES
            + " values once aliases are expanded");
        return false;
      }
      if (!(child instanceof MappingNode || child instanceof SequenceNode)) {
        continue;
      }
      if (onPath.containsKey(child)) {
        diags.error(YamlNodes.pos(label, child), "YAML alias refers to a collection that contains it");
        return false;
      }
      if (stack.size() >= MAX_DEPTH) {
        diags.error(YamlNodes.pos(label, child), "YAML is nested too deeply (through aliases): lists and mappings nest at most "
            + MAX_DEPTH + " levels");
        return false;
      }
      onPath.put(child, true);
      stack.push(new Object[] {child, children(child).iterator()});
    }
    return true;
  }

  private static List<Node> children(Node node) {
    if (node instanceof SequenceNode s) {
      return s.getValue();
    } else if (node instanceof MappingNode m) {
      List<Node> out = new ArrayList<>(2 * m.getValue().size());
      for (NodeTuple t : m.getValue()) {
        out.add(t.getKeyNode());
        out.add(t.getValueNode());
      }
      return out;
    }
    return List.of();
  }

  private static void report(String label, String text, YamlEngineException e, Diagnostics diags) {
    if (e instanceof MarkedYamlEngineException m) {
      Mark mark = m.getProblemMark().or(m::getContextMark).orElse(null);
      diags.error(mark(label, mark), "invalid YAML: " + oneLine(m.getProblem()));
    } else if (e instanceof ReaderException r) {
      SourcePosition at = position(label, text, text.offsetByCodePoints(0, Math.min(r.getPosition(),
          text.codePointCount(0, text.length()))));
      diags.error(at, String.format(Locale.ROOT, "invalid YAML: character U+%04X is not allowed in YAML text%s",
          r.getCodePoint(), r.getCodePoint() == 0 ? " (is this a binary file?)" : ""));
    } else {
      diags.error(new SourcePosition(label, 1, 1), "invalid YAML: " + oneLine(e.getMessage()));
    }
  }

  private static SourcePosition mark(String label, Mark m) {
    return m == null ? new SourcePosition(label, 1, 1) : new SourcePosition(label, m.getLine() + 1, m.getColumn() + 1);
  }

  /** The 1-based line and column (in code points) of {@code text.charAt(index)}. */
  private static SourcePosition position(String label, CharSequence text, int index) {
    int line = 1;
    int lineStart = 0;
    for (int i = 0; i < index; i++) {
      if (text.charAt(i) == '\n') {
        line++;
        lineStart = i + 1;
      }
    }
    int column = Character.codePointCount(text, lineStart, index) + 1;
    return new SourcePosition(label, line, column);
  }

  static String oneLine(String s) {
    return s == null ? "syntax error" : s.replaceAll("\\s+", " ").trim();
  }
}
