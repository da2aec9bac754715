package dev.strata.dsl.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.expr.ExprJson;
import dev.strata.dsl.expr.TypedExpr;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.plan.CompiledPlan.CompiledAggregation;
import dev.strata.dsl.plan.CompiledPlan.CompiledDerived;
import dev.strata.dsl.plan.CompiledPlan.CompiledEntity;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledMonitor;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan.CompiledTrainingSet;
import dev.strata.dsl.plan.CompiledPlan.KeyColumn;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.plan.CompiledPlan.TileSpec;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The stable, versioned JSON form of a compiled plan ({@code format_version} 1). Keys are
 * snake_case and always in the same order, so equal plans print equal bytes; durations are
 * canonical text ({@code 1h}, {@code 7d}); expressions are the typed AST of {@link ExprJson}.
 */
public final class PlanJson {
  static final ObjectMapper MAPPER =
      new ObjectMapper().configure(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS, true);

  private PlanJson() {}

  public static ObjectNode toJson(CompiledPlan plan) {
    ObjectNode root = MAPPER.createObjectNode();
    root.put("format_version", CompiledPlan.FORMAT_VERSION);
    root.put("project", plan.project());
    ArrayNode entities = root.putArray("entities");
    for (CompiledEntity e : plan.entities()) {
      ObjectNode n = entities.addObject().put("name", e.name());
      n.set("keys", fields(e.keys()));
    }
    ArrayNode sources = root.putArray("sources");
    for (CompiledSource s : plan.sources()) {
      sources.add(source(s));
    }
    ArrayNode groups = root.putArray("feature_groups");
    for (CompiledGroup g : plan.groups()) {
      groups.add(group(g));
    }
    ArrayNode services = root.putArray("feature_services");
    for (CompiledService s : plan.services()) {
      services.add(service(s));
    }
    ArrayNode sets = root.putArray("training_sets");
    for (CompiledTrainingSet t : plan.trainingSets()) {
      sets.add(trainingSet(t));
    }
    ArrayNode monitors = root.putArray("monitors");
    for (CompiledMonitor m : plan.monitors()) {
      monitors.add(monitor(m));
    }
    return root;
  }

  /** Pretty-printed JSON, as {@code strata plan --json} prints it. */
  public static String toPrettyString(CompiledPlan plan) {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(toJson(plan));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("Cannot write plan as JSON", e);
    }
  }

  /** Compact JSON, as stored in the registry. */
  public static String toCompactString(CompiledPlan plan) {
    return toJson(plan).toString();
  }

  /** SHA-256 of the compact JSON: equal exactly when the plans are equal. */
  public static String hash(CompiledPlan plan) {
    return Fingerprints.sha256(toCompactString(plan));
  }

  public static JsonNode parse(String json) {
    try {
      JsonNode node = MAPPER.readTree(json);
      int version = node.path("format_version").asInt(-1);
      if (version != CompiledPlan.FORMAT_VERSION) {
        throw new IllegalArgumentException("Cannot read plan: unsupported format_version " + version
            + " (this Strata reads " + CompiledPlan.FORMAT_VERSION + ")");
      }
      return node;
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("Cannot read plan: not valid JSON (" + e.getOriginalMessage() + ")", e);
    }
  }

  static JsonNode expr(TypedExpr e) {
    return e == null ? NullNode.getInstance() : ExprJson.toJson(e);
  }

  private static ArrayNode fields(List<Field> fields) {
    ArrayNode a = MAPPER.createArrayNode();
    for (Field f : fields) {
      a.addObject().put("name", f.name()).put("type", f.type().sqlName());
    }
    return a;
  }

  private static ObjectNode source(CompiledSource s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", s.name());
    n.put("timestamp", s.timestamp());
    n.set("schema", fields(schemaFields(s.schema())));
    if (s.batch() != null) {
      ObjectNode b = n.putObject("batch");
      putIfNotNull(b, "path", s.batch().path());
      putIfNotNull(b, "table", s.batch().table());
      putIfNotNull(b, "format", s.batch().format());
    }
    if (s.stream() != null) {
      Source.Stream st = s.stream();
      ObjectNode b = n.putObject("stream");
      if (st.kafkaTopic() != null) {
        ObjectNode k = b.putObject("kafka").put("topic", st.kafkaTopic());
        putIfNotNull(k, "bootstrap_servers", st.bootstrapServers());
        putIfNotNull(k, "group_id", st.groupId());
      }
      if (st.filePath() != null) {
        ObjectNode f = b.putObject("file").put("path", st.filePath());
        if (st.speed() != null) {
          f.put("speed", st.speed());
        }
      }
      putIfNotNull(b, "format", st.format());
      putIfNotNull(b, "avro_schema", st.avroSchema());
      b.put("allowed_lateness", Durations.format(st.allowedLatenessMicros()));
      b.put("max_out_of_orderness", Durations.format(st.maxOutOfOrdernessMicros()));
      b.put("idle_timeout", Durations.format(st.idleTimeoutMicros()));
      if (st.deadLetterTopic() != null || st.deadLetterPath() != null) {
        ObjectNode d = b.putObject("dead_letter");
        putIfNotNull(d, "topic", st.deadLetterTopic());
        putIfNotNull(d, "path", st.deadLetterPath());
      }
    }
    return n;
  }

  private static List<Field> schemaFields(Schema s) {
    return s.fields();
  }

  private static void putIfNotNull(ObjectNode n, String key, String value) {
    if (value != null) {
      n.put(key, value);
    }
  }

  /** What an aggregation computes: the part of it that enters fingerprints. */
  static ObjectNode aggregationSemantics(CompiledAggregation a) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", a.name());
    n.put("function", a.function().yamlName());
    ArrayNode args = n.putArray("args");
    for (Object arg : a.args()) {
      if (arg instanceof Long l) {
        args.add(l);
      } else if (arg instanceof Number d) {
        args.add(d.doubleValue());
      } else {
        args.add(String.valueOf(arg));
      }
    }
    n.set("input", expr(a.input()));
    if (a.inputType() == null) {
      n.putNull("input_type");
    } else {
      n.put("input_type", a.inputType().sqlName());
    }
    n.put("output_type", a.outputType().sqlName());
    return n;
  }

  static ArrayNode tiles(CompiledGroup g) {
    ArrayNode tiles = MAPPER.createArrayNode();
    for (TileSpec t : g.tiles()) {
      ObjectNode tn = tiles.addObject().put("hop", Durations.format(t.hopMicros()));
      ArrayNode slots = tn.putArray("aggregations");
      t.aggregationIndexes().forEach(i -> slots.add(g.aggregations().get(i).name()));
    }
    return tiles;
  }

  private static ObjectNode group(CompiledGroup g) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", g.name());
    n.put("version", g.version());
    n.put("fingerprint", g.fingerprint());
    n.put("entity", g.entity());
    n.put("source", g.source());
    ArrayNode keys = n.putArray("keys");
    for (KeyColumn k : g.keys()) {
      keys.addObject().put("name", k.name()).put("type", k.type().sqlName()).set("expr", expr(k.expr()));
    }
    n.set("filter", expr(g.filter()));
    n.put("online", g.online());
    n.put("offline", g.offline());
    if (g.ttlMicros() == null) {
      n.putNull("ttl");
    } else {
      n.put("ttl", Durations.format(g.ttlMicros()));
    }
    if (g.freshnessMicros() != null) { // absent when not declared, so plans applied before the setting existed compare equal
      n.put("freshness", Durations.format(g.freshnessMicros()));
    }
    n.put("max_window", g.maxWindow().text());
    ArrayNode aggs = n.putArray("aggregations");
    g.aggregations().forEach(a -> aggs.add(aggregationSemantics(a)));
    n.set("tiles", tiles(g));
    ArrayNode features = n.putArray("features");
    for (CompiledFeature f : g.features()) {
      features.addObject()
          .put("name", f.name())
          .put("qualified_name", f.qualifiedName())
          .put("aggregation", f.aggregation())
          .put("window", f.window().text())
          .put("hop", Durations.format(f.hopMicros()))
          .put("type", f.type().sqlName())
          .put("fingerprint", f.fingerprint());
    }
    if (g.owner() != null) {
      n.put("owner", g.owner());
    }
    if (!g.tags().isEmpty()) {
      ObjectNode tags = n.putObject("tags");
      new TreeMap<>(g.tags()).forEach(tags::put);
    }
    if (g.description() != null) {
      n.put("description", g.description());
    }
    return n;
  }

  private static ObjectNode service(CompiledService s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", s.name());
    ArrayNode features = n.putArray("features");
    for (ServiceFeature f : s.features()) {
      features.addObject().put("name", f.qualifiedName()).put("group", f.group()).put("feature", f.feature())
          .put("type", f.type().sqlName());
    }
    if (!s.request().isEmpty()) { // absent, not empty, so plans applied before request inputs existed diff the same
      ObjectNode request = n.putObject("request");
      s.request().forEach(r -> request.put(r.name(), r.type().sqlName()));
    }
    ArrayNode derived = n.putArray("derived");
    for (CompiledDerived d : s.derived()) {
      derived.addObject().put("name", d.name()).put("type", d.type().sqlName()).set("expr", expr(d.expr()));
    }
    if (s.description() != null) {
      n.put("description", s.description());
    }
    return n;
  }

  private static ObjectNode trainingSet(CompiledTrainingSet t) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", t.name());
    n.put("service", t.service());
    ObjectNode spine = n.putObject("spine");
    putIfNotNull(spine, "source", t.spineSource());
    putIfNotNull(spine, "path", t.spinePath());
    putIfNotNull(spine, "timestamp", t.timestamp());
    if (t.spinePath() != null && t.spineSchema() != null) {
      spine.set("schema", fields(schemaFields(t.spineSchema())));
    }
    ObjectNode keys = spine.putObject("keys");
    for (Map.Entry<String, List<TypedExpr>> k : t.keys().entrySet()) {
      ArrayNode a = keys.putArray(k.getKey());
      k.getValue().forEach(e -> a.add(expr(e)));
    }
    spine.set("label", expr(t.label()));
    return n;
  }

  private static ObjectNode monitor(CompiledMonitor m) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("name", m.name());
    n.put("service", m.service());
    if (m.predictionsModel() != null || m.predictionsTable() != null) {
      ObjectNode p = n.putObject("predictions");
      putIfNotNull(p, "model", m.predictionsModel());
      putIfNotNull(p, "table", m.predictionsTable());
      putIfNotNull(p, "column", m.predictionsColumn());
      putIfNotNull(p, "label", m.labelColumn());
    }
    n.putObject("reference")
        .put("from", Durations.formatInstant(m.referenceFromMicros()))
        .put("to", Durations.formatInstant(m.referenceToMicros()));
    if (m.everyMicros() != null) {
      n.put("every", Durations.format(m.everyMicros()));
    }
    ArrayNode metrics = n.putArray("metrics");
    m.metrics().forEach(metrics::add);
    ObjectNode thresholds = n.putObject("thresholds");
    new TreeMap<>(m.thresholds()).forEach(thresholds::put);
    ArrayNode segments = n.putArray("segments");
    m.segments().forEach(segments::add);
    return n;
  }
}
