package dev.strata.dsl.lang;

import static dev.strata.dsl.lang.YamlNodes.entries;
import static dev.strata.dsl.lang.YamlNodes.get;
import static dev.strata.dsl.lang.YamlNodes.items;
import static dev.strata.dsl.lang.YamlNodes.text;

import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.model.Aggregation;
import dev.strata.dsl.model.Entity;
import dev.strata.dsl.model.ExprText;
import dev.strata.dsl.model.FeatureGroup;
import dev.strata.dsl.model.FeatureService;
import dev.strata.dsl.model.Monitor;
import dev.strata.dsl.model.Project;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.model.TrainingSet;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.Window;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * Reads a definitions directory: every {@code .yaml}/{@code .yml} file except {@code
 * strata.yaml} (configuration), in name order. Shape mistakes are reported by {@link
 * ShapeChecker}; this class builds the model from what is well formed, and reports names
 * defined twice across files.
 */
public final class ProjectLoader {
  /** The configuration file of a project directory; not a definitions file. */
  public static final String CONFIG_FILE = "strata.yaml";

  /** The kind under which a request input with a mistake is {@linkplain Diagnostics#poison poisoned}: service.input. */
  public static final String REQUEST_INPUT = "request input";

  /** The kind under which a feature group with a mistake is {@linkplain Diagnostics#poison poisoned}. */
  public static final String FEATURE_GROUP = "feature group";

  private ProjectLoader() {}

  /** The result of loading: the project (possibly partial) and every mistake found. */
  public record Loaded(Project project, Diagnostics diagnostics) {}

  /** Loads a project directory (see {@link #definitionFiles} for which files). */
  public static Loaded load(Path dir) {
    Diagnostics diags = new Diagnostics();
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> files = readDefinitions(dir, diags, labels);
    Map<String, String> byLabel = new LinkedHashMap<>();
    files.forEach((path, text) -> byLabel.put(labels.get(path), text));
    return load(defaultName(dir), byLabel, diags);
  }

  /**
   * Loads definitions already read (see {@link ProjectSnapshot}): file label → text, in label
   * order; {@code defaultName} names the project when no file does.
   */
  public static Loaded load(String defaultName, Map<String, String> files) {
    return load(defaultName, files, new Diagnostics());
  }

  private static Loaded load(String defaultName, Map<String, String> files, Diagnostics diags) {
    Builder builder = new Builder(defaultName, diags);
    files.forEach((label, text) -> loadDocuments(label, text, builder, diags));
    return new Loaded(builder.build(), diags);
  }

  /**
   * The definition files of a directory, path relative to it → text, in file order: the one
   * rule of which files a project is made of (every {@code *.yaml}/{@code *.yml} except {@code
   * strata.yaml}, none under a dot-folder). Files that cannot be read are reported to {@code
   * diags}; {@code labels} receives each file's name for messages.
   */
  static Map<String, String> readDefinitions(Path dir, Diagnostics diags, Map<String, String> labels) {
    Map<String, String> out = new LinkedHashMap<>();
    for (Path file : definitionFiles(dir, diags)) {
      String label = displayName(dir, file);
      String text = YamlDocuments.readFile(file, label, diags);
      if (text != null) {
        String relative = dir.relativize(file).toString().replace('\\', '/');
        out.put(relative, text);
        labels.put(relative, label);
      }
    }
    return out;
  }

  /** The name a project takes from its directory when no definition names it. */
  static String defaultName(Path dir) {
    Path n = dir.toAbsolutePath().normalize().getFileName();
    return n == null ? "project" : n.toString();
  }

  /** Loads definitions from YAML text (for tests and tools); {@code label} names the file in messages. */
  public static Loaded loadString(String label, String yaml) {
    Diagnostics diags = new Diagnostics();
    Builder builder = new Builder("project", diags);
    loadDocuments(label, yaml, builder, diags);
    return new Loaded(builder.build(), diags);
  }

  private static void loadDocuments(String label, String text, Builder builder, Diagnostics diags) {
    for (Node doc : YamlDocuments.compose(label, text, true, diags)) {
      new ShapeChecker(label, diags).check(doc, LanguageSpec.FILE, "the file");
      builder.add(label, doc);
    }
  }

  private static List<Path> definitionFiles(Path dir, Diagnostics diags) {
    if (!Files.isDirectory(dir)) {
      diags.error(new SourcePosition(dir.toString(), 0, 0), "not a directory");
      return List.of();
    }
    try (Stream<Path> s = Files.walk(dir)) {
      List<Path> files =
          s.filter(Files::isRegularFile)
              .filter(p -> !p.getFileName().toString().equals(CONFIG_FILE))
              .filter(p -> {
                String n = p.getFileName().toString();
                return (n.endsWith(".yaml") || n.endsWith(".yml")) && !isHidden(dir, p);
              })
              .sorted()
              .toList();
      if (files.isEmpty()) {
        diags.error(new SourcePosition(dir.toString(), 0, 0), "no definition files (*.yaml, *.yml) in this directory");
      }
      return files;
    } catch (IOException e) {
      diags.error(new SourcePosition(dir.toString(), 0, 0), "cannot list directory: " + e.getMessage());
      return List.of();
    }
  }

  /** Skips dot-folders (.strata, .git) and data folders' YAML is still read: only dot paths are skipped. */
  private static boolean isHidden(Path dir, Path file) {
    for (Path part : dir.relativize(file)) {
      if (part.toString().startsWith(".")) {
        return true;
      }
    }
    return false;
  }

  private static String displayName(Path dir, Path file) {
    Path cwd = Path.of("").toAbsolutePath();
    Path abs = file.toAbsolutePath().normalize();
    return abs.startsWith(cwd) ? cwd.relativize(abs).toString() : abs.toString();
  }

  /** Builds model objects from the well-formed parts of each document. */
  private static final class Builder {
    private String name;
    private SourcePosition namePos;
    private final Diagnostics diags;
    private final Map<String, Entity> entities = new LinkedHashMap<>();
    private final Map<String, Source> sources = new LinkedHashMap<>();
    private final Map<String, FeatureGroup> groups = new LinkedHashMap<>();
    private final Map<String, FeatureService> services = new LinkedHashMap<>();
    private final Map<String, TrainingSet> trainingSets = new LinkedHashMap<>();
    private final Map<String, Monitor> monitors = new LinkedHashMap<>();
    private final Map<String, SourcePosition> definedAt = new HashMap<>();

    Builder(String defaultName, Diagnostics diags) {
      this.name = defaultName;
      this.diags = diags;
    }

    Project build() {
      return new Project(name, entities, sources, groups, services, trainingSets, monitors);
    }

    void add(String file, Node doc) {
      for (YamlNodes.Entry section : entries(file, doc)) {
        switch (section.key()) {
          case "project" -> {
            String n = text(section.value());
            if (n != null && NameRules.isName(n)) {
              if (namePos != null && !n.equals(name)) {
                diags.error(YamlNodes.pos(file, section.value()),
                    "project is named '" + name + "' at " + namePos + "; a project has one name");
              } else {
                name = n;
                namePos = YamlNodes.pos(file, section.value());
              }
            }
          }
          case "entities" -> each(file, section.value(), "entity", (n, p, v) -> entities.put(n, entity(file, n, p, v)));
          case "sources" -> each(file, section.value(), "source", (n, p, v) -> sources.put(n, source(file, n, p, v)));
          case "feature_groups" -> each(file, section.value(), "feature group", (n, p, v) -> {
            groups.put(n, group(file, n, p, v));
            if (hasErrorWithin(file, v)) {
              diags.poison(FEATURE_GROUP, n);
            }
          });
          case "feature_services" -> each(file, section.value(), "feature service", (n, p, v) -> services.put(n, service(file, n, p, v)));
          case "training_sets" -> each(file, section.value(), "training set", (n, p, v) -> trainingSets.put(n, trainingSet(file, n, p, v)));
          case "monitors" -> each(file, section.value(), "monitor", (n, p, v) -> monitors.put(n, monitor(file, n, p, v)));
          default -> { } // reported by ShapeChecker
        }
      }
    }

    /**
     * Whether a mistake was reported inside {@code node} (the shape checker has checked the
     * document already): a group with a mistake defines features the compiler cannot know (a
     * misspelled 'windows' defines none), so references to it are not reported again.
     */
    private boolean hasErrorWithin(String file, Node node) {
      if (node.getStartMark().isEmpty() || node.getEndMark().isEmpty()) {
        return false;
      }
      long start = order(node.getStartMark().get().getLine() + 1, node.getStartMark().get().getColumn() + 1);
      long end = order(node.getEndMark().get().getLine() + 1, node.getEndMark().get().getColumn() + 1);
      for (dev.strata.dsl.diag.Diagnostic d : diags.all()) {
        long at = order(d.line(), d.column());
        if (d.file().equals(file) && at >= start && at < end) {
          return true;
        }
      }
      return false;
    }

    private static long order(int line, int column) {
      return ((long) line << 32) | (column & 0xffffffffL);
    }

    interface Definer {
      void define(String name, SourcePosition pos, Node value);
    }

    /** Calls {@code definer} for each well-named definition not defined before (in any file). */
    private void each(String file, Node section, String kind, Definer definer) {
      Map<String, Boolean> inThisSection = new HashMap<>();
      for (YamlNodes.Entry e : entries(file, section)) {
        if (!NameRules.isName(e.key()) || inThisSection.putIfAbsent(e.key(), true) != null) {
          continue; // reported by ShapeChecker
        }
        SourcePosition first = definedAt.putIfAbsent(kind + ":" + e.key(), e.keyPos());
        if (first != null) {
          diags.error(e.keyPos(), "duplicate " + kind + " '" + e.key() + "' (first defined at " + first + ")");
          continue;
        }
        if (!(e.value() instanceof org.snakeyaml.engine.v2.nodes.MappingNode)) {
          continue; // reported by ShapeChecker
        }
        definer.define(e.key(), e.keyPos(), e.value());
      }
    }

    private ExprText expr(String file, Node node) {
      String t = text(node);
      return t == null ? null : new ExprText(t, YamlNodes.textPos(file, node));
    }

    private List<Field> typedColumns(String file, Node node) {
      List<Field> out = new ArrayList<>();
      for (YamlNodes.Entry e : entries(file, node)) {
        DataType t = DataType.parseOrNull(text(e.value()));
        if (t != null && NameRules.isColumn(e.key())) {
          out.add(new Field(e.key(), t));
        }
      }
      return out;
    }

    private Entity entity(String file, String n, SourcePosition p, Node v) {
      return new Entity(n, typedColumns(file, get(v, "keys")), text(v, "description"), p);
    }

    private Source source(String file, String n, SourcePosition p, Node v) {
      List<Field> columns = new ArrayList<>();
      Map<String, Boolean> seen = new HashMap<>();
      for (Field f : typedColumns(file, get(v, "schema"))) {
        if (seen.putIfAbsent(f.name(), true) == null) {
          columns.add(f);
        }
      }
      Node b = get(v, "batch");
      Source.Batch batch = b == null ? null : new Source.Batch(text(b, "path"), text(b, "table"), text(b, "format"));
      Node s = get(v, "stream");
      Source.Stream stream = null;
      if (s != null) {
        Node kafka = get(s, "kafka");
        Node f = get(s, "file");
        Node dead = get(s, "dead_letter");
        String speed = text(get(f, "speed"));
        stream = new Source.Stream(
            text(kafka, "topic"), text(kafka, "bootstrap_servers"), text(kafka, "group_id"),
            text(f, "path"), speed == null ? null : parseDouble(speed),
            text(s, "format"), text(s, "avro_schema"),
            duration(text(s, "allowed_lateness"), Source.Stream.DEFAULT_ALLOWED_LATENESS),
            duration(text(s, "max_out_of_orderness"), Source.Stream.DEFAULT_MAX_OUT_OF_ORDERNESS),
            duration(text(s, "idle_timeout"), Source.Stream.DEFAULT_IDLE_TIMEOUT),
            text(dead, "topic"), text(dead, "path"));
      }
      Node ts = get(v, "timestamp");
      return new Source(n, text(ts), Schema.of(columns), batch, stream, text(v, "description"), p,
          ts == null ? p : YamlNodes.pos(file, ts));
    }

    private static Double parseDouble(String s) {
      try {
        return Double.valueOf(s);
      } catch (NumberFormatException e) {
        return null;
      }
    }

    /** A duration the checker accepts, else the default (the checker reported why). */
    private static long duration(String text, long dflt) {
      Long micros = ShapeChecker.durationMicros(text);
      return micros != null ? micros : dflt;
    }

    private static Long durationOrNull(String text) {
      return ShapeChecker.durationMicros(text);
    }

    private FeatureGroup group(String file, String n, SourcePosition p, Node v) {
      Map<String, ExprText> keys = new LinkedHashMap<>();
      for (YamlNodes.Entry e : entries(file, get(v, "keys"))) {
        ExprText x = expr(file, e.value());
        if (x != null) {
          keys.put(e.key(), x);
        }
      }
      List<Aggregation> aggs = new ArrayList<>();
      for (Node a : items(get(v, "aggregations"))) {
        String aName = text(a, "name");
        String fn = text(a, "function");
        if (aName == null || fn == null || dev.strata.dsl.agg.AggregationFunction.fromName(fn).isEmpty()) {
          continue; // reported by ShapeChecker
        }
        List<Object> args = new ArrayList<>();
        for (Node arg : items(get(a, "args"))) {
          Object value = number(arg);
          if (value != null) {
            args.add(value);
          }
        }
        List<Aggregation.WindowSpec> windows = new ArrayList<>();
        for (Node w : items(get(a, "windows"))) {
          String wt = text(w);
          Long micros = ShapeChecker.durationMicros(wt);
          if ("lifetime".equals(wt) || micros != null) {
            windows.add(new Aggregation.WindowSpec(micros == null ? Window.LIFETIME : Window.of(micros), YamlNodes.pos(file, w)));
          }
        }
        Node hop = get(a, "hop");
        Node nameNode = get(a, "name");
        aggs.add(new Aggregation(aName, fn, expr(file, get(a, "input")), args, windows,
            durationOrNull(text(hop)), text(a, "description"), YamlNodes.pos(file, nameNode),
            YamlNodes.pos(file, get(a, "function")), hop == null ? null : YamlNodes.pos(file, hop)));
      }
      Map<String, String> tags = new LinkedHashMap<>();
      for (YamlNodes.Entry e : entries(file, get(v, "tags"))) {
        String t = text(e.value());
        if (t != null) {
          tags.put(e.key(), t);
        }
      }
      Node entity = get(v, "entity");
      Node source = get(v, "source");
      Node keysNode = get(v, "keys");
      return new FeatureGroup(n, text(entity), text(source), keys, expr(file, get(v, "filter")), aggs,
          bool(get(v, "online"), false), bool(get(v, "offline"), true), durationOrNull(text(v, "ttl")),
          durationOrNull(text(v, "freshness")), text(v, "owner"), tags, text(v, "description"), p,
          entity == null ? p : YamlNodes.pos(file, entity), source == null ? p : YamlNodes.pos(file, source),
          keysNode == null ? p : YamlNodes.pos(file, keysNode));
    }

    private static Object number(Node node) {
      if (node instanceof ScalarNode s) {
        if (Tag.INT.equals(s.getTag())) {
          return YamlNumbers.parseLong(s.getValue());
        } else if (Tag.FLOAT.equals(s.getTag())) {
          Double d = YamlNumbers.parseDouble(s.getValue());
          return d == null || d.isNaN() || d.isInfinite() ? null : d;
        }
      }
      return null;
    }

    private static boolean bool(Node node, boolean dflt) {
      if (node instanceof ScalarNode s && Tag.BOOL.equals(s.getTag())) {
        return Boolean.parseBoolean(s.getValue());
      }
      return dflt;
    }

    private FeatureService service(String file, String n, SourcePosition p, Node v) {
      List<FeatureService.FeatureRef> refs = new ArrayList<>();
      for (Node f : items(get(v, "features"))) {
        String t = text(f);
        if (t != null) {
          refs.add(new FeatureService.FeatureRef(t, YamlNodes.pos(file, f)));
        }
      }
      List<FeatureService.Derived> derived = new ArrayList<>();
      for (Node d : items(get(v, "derived"))) {
        String dn = text(d, "name");
        ExprText e = expr(file, get(d, "expr"));
        if (dn != null && e != null) {
          derived.add(new FeatureService.Derived(dn, e, text(d, "description"), YamlNodes.pos(file, get(d, "name"))));
        }
      }
      List<Field> request = typedColumns(file, get(v, "request"));
      for (YamlNodes.Entry e : entries(file, get(v, "request"))) {
        if (request.stream().noneMatch(f -> f.name().equals(e.key()))) {
          diags.poison(REQUEST_INPUT, n + "." + e.key()); // its type or name was reported; readers of it are not
        }
      }
      return new FeatureService(n, refs, derived, request, text(v, "description"), p);
    }

    private TrainingSet trainingSet(String file, String n, SourcePosition p, Node v) {
      Node spine = get(v, "spine");
      Map<String, List<ExprText>> keys = new LinkedHashMap<>();
      Map<String, SourcePosition> keyPos = new LinkedHashMap<>();
      for (YamlNodes.Entry e : entries(file, get(spine, "keys"))) {
        List<ExprText> exprs = new ArrayList<>();
        if (e.value() instanceof ScalarNode) {
          ExprText x = expr(file, e.value());
          if (x != null) {
            exprs.add(x);
          }
        } else {
          for (Node item : items(e.value())) {
            ExprText x = expr(file, item);
            if (x != null) {
              exprs.add(x);
            }
          }
        }
        keys.put(e.key(), exprs);
        keyPos.put(e.key(), e.keyPos());
      }
      Node service = get(v, "service");
      TrainingSet.Spine s = new TrainingSet.Spine(text(spine, "source"), text(spine, "path"), keys,
          text(spine, "timestamp"), expr(file, get(spine, "label")), typedColumns(file, get(spine, "schema")),
          spine == null ? p : YamlNodes.pos(file, spine), keyPos);
      return new TrainingSet(n, text(service), s, text(v, "description"), p,
          service == null ? p : YamlNodes.pos(file, service));
    }

    private Monitor monitor(String file, String n, SourcePosition p, Node v) {
      Node pred = get(v, "predictions");
      Monitor.Predictions predictions =
          pred == null ? null : new Monitor.Predictions(text(pred, "model"), text(pred, "table"), text(pred, "column"),
              text(pred, "label"));
      Node ref = get(v, "reference");
      long from = instant(text(ref, "from"));
      long to = instant(text(ref, "to"));
      List<String> metrics = new ArrayList<>();
      for (Node m : items(get(v, "metrics"))) {
        String t = text(m);
        if (t != null && Monitor.METRICS.contains(t)) {
          metrics.add(t);
        }
      }
      Map<String, Double> thresholds = new LinkedHashMap<>();
      for (YamlNodes.Entry e : entries(file, get(v, "thresholds"))) {
        Object num = number(e.value());
        if (num instanceof Number x) {
          thresholds.put(e.key(), x.doubleValue());
        }
        if (!Monitor.METRICS.contains(e.key())) {
          diags.error(e.keyPos(), "unknown metric '" + e.key() + "' in thresholds"
              + dev.strata.dsl.diag.Suggestions.hint(e.key(), Monitor.METRICS));
        }
      }
      List<ExprText> segments = new ArrayList<>();
      for (Node s : items(get(v, "segments"))) {
        ExprText x = expr(file, s);
        if (x != null) {
          segments.add(x);
        }
      }
      if (from != Long.MIN_VALUE && to != Long.MIN_VALUE && from >= to) {
        diags.error(YamlNodes.pos(file, ref), "reference range is empty: 'from' must be before 'to'");
      }
      Node service = get(v, "service");
      return new Monitor(n, text(service), predictions, from, to, durationOrNull(text(v, "every")),
          metrics.isEmpty() ? Monitor.METRICS : metrics, thresholds, segments, text(v, "description"), p,
          service == null ? p : YamlNodes.pos(file, service));
    }

    private static long instant(String text) {
      if (text == null) {
        return Long.MIN_VALUE;
      }
      try {
        return Durations.parseInstant(text);
      } catch (RuntimeException e) { // unparseable or beyond a long of microseconds: reported by the checker
        return Long.MIN_VALUE;
      }
    }
  }
}
