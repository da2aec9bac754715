package dev.strata.dsl.plan;

import dev.strata.dsl.agg.AggregationFunction;
import dev.strata.dsl.agg.AggregationResolution;
import dev.strata.dsl.agg.Aggregations;
import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.diag.Suggestions;
import dev.strata.dsl.expr.ExpressionError;
import dev.strata.dsl.expr.ExpressionResult;
import dev.strata.dsl.expr.Expressions;
import dev.strata.dsl.expr.TypedExpr;
import dev.strata.dsl.lang.NameChecker;
import dev.strata.dsl.lang.NameRules;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.model.Aggregation;
import dev.strata.dsl.model.Entity;
import dev.strata.dsl.model.ExprText;
import dev.strata.dsl.model.FeatureGroup;
import dev.strata.dsl.model.FeatureService;
import dev.strata.dsl.model.Monitor;
import dev.strata.dsl.model.Project;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.model.TrainingSet;
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
import dev.strata.dsl.time.Window;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Resolves and type checks a {@link Project} into a {@link CompiledPlan}. Reports every mistake
 * (unknown references, type errors, windows that are not multiples of their hop, duplicate
 * feature names, cycles among derived features) with its position; never stops at the first.
 */
public final class PlanCompiler {
  private final Project project;
  private final Diagnostics diags;

  private PlanCompiler(Project project, Diagnostics diags) {
    this.project = project;
    this.diags = diags;
  }

  /** The plan when there were no mistakes, and every mistake found. */
  public record Result(Optional<CompiledPlan> plan, Diagnostics diagnostics) {}

  public static Result compile(Project project) {
    return compile(project, new Diagnostics());
  }

  /** Compiles, adding to {@code diags} (which may already hold the loader's mistakes). */
  public static Result compile(Project project, Diagnostics diags) {
    PlanCompiler c = new PlanCompiler(project, diags);
    CompiledPlan plan = c.run();
    return new Result(diags.hasErrors() ? Optional.empty() : Optional.of(plan), diags);
  }

  /** Compiles or throws {@link DefinitionException} listing every mistake. */
  public static CompiledPlan compileOrThrow(Project project) {
    Result r = compile(project);
    return r.plan().orElseThrow(() -> new DefinitionException(r.diagnostics().sorted()));
  }

  private CompiledPlan run() {
    NameChecker.check(project, diags);
    List<CompiledEntity> entities = new ArrayList<>();
    for (Entity e : project.entities().values()) {
      if (e.keys().isEmpty()) {
        diags.error(e.pos(), "entity '" + e.name() + "' has no keys");
      }
      entities.add(new CompiledEntity(e.name(), e.keys()));
    }
    List<CompiledSource> sources = new ArrayList<>();
    for (Source s : project.sources().values()) {
      sources.add(source(s));
    }
    List<CompiledGroup> groups = new ArrayList<>();
    for (FeatureGroup g : project.featureGroups().values()) {
      CompiledGroup cg = group(g);
      if (cg != null) {
        groups.add(cg);
      } else {
        diags.poison(ProjectLoader.FEATURE_GROUP, g.name()); // its mistakes are reported where it is defined
      }
    }
    Map<String, CompiledGroup> groupsByName = new LinkedHashMap<>();
    groups.forEach(g -> groupsByName.put(g.name(), g));
    List<CompiledService> services = new ArrayList<>();
    for (FeatureService s : project.featureServices().values()) {
      services.add(service(s, groupsByName));
    }
    Map<String, CompiledService> servicesByName = new LinkedHashMap<>();
    services.forEach(s -> servicesByName.put(s.name(), s));
    List<CompiledTrainingSet> trainingSets = new ArrayList<>();
    for (TrainingSet t : project.trainingSets().values()) {
      trainingSets.add(trainingSet(t, servicesByName, groupsByName));
    }
    List<CompiledMonitor> monitors = new ArrayList<>();
    for (Monitor m : project.monitors().values()) {
      monitors.add(monitor(m));
    }
    return new CompiledPlan(project.name(), entities, sources, groups, services, trainingSets, monitors);
  }

  // ---------------------------------------------------------------- sources

  private CompiledSource source(Source s) {
    if (s.timestamp() != null) {
      Optional<Field> ts = s.schema().find(s.timestamp());
      if (ts.isEmpty()) {
        diags.error(s.timestampPos(), "timestamp column '" + s.timestamp() + "' is not in the schema of source '"
            + s.name() + "'" + Suggestions.hint(s.timestamp(), s.schema().names()));
      } else if (ts.get().type() != DataType.TIMESTAMP) {
        diags.error(s.timestampPos(), "timestamp column '" + s.timestamp() + "' must have type timestamp, got "
            + ts.get().type().sqlName());
      }
    }
    if (s.batch() != null && (s.batch().path() == null) == (s.batch().table() == null)) {
      diags.error(s.pos(), "batch of source '" + s.name() + "' needs exactly one of 'path' or 'table'");
    }
    if (s.stream() != null && (s.stream().kafkaTopic() == null) == (s.stream().filePath() == null)) {
      diags.error(s.pos(), "stream of source '" + s.name() + "' needs exactly one of 'kafka' or 'file'");
    }
    if (s.stream() != null && s.stream().deadLetterTopic() != null && s.stream().deadLetterPath() != null) {
      diags.error(s.pos(), "dead_letter of source '" + s.name() + "' takes one of 'topic' or 'path', not both");
    }
    if (s.stream() != null && s.stream().deadLetterTopic() != null && s.stream().kafkaTopic() == null) {
      diags.error(s.pos(), "dead_letter of source '" + s.name() + "' names a Kafka topic, but the source reads a file: "
          + "use 'path'");
    }
    return new CompiledSource(s.name(), s.timestamp(), s.schema(), s.batch(), s.stream());
  }

  // ---------------------------------------------------------------- expressions

  private TypedExpr expression(ExprText text, Schema schema, DataType expected, String role) {
    if (text == null) {
      return null;
    }
    ExpressionResult r = Expressions.compile(text.text(), schema, expected, role);
    for (ExpressionError e : r.errors()) {
      diags.error(text.at(e.offset()), role + ": " + e.message());
    }
    return r.errors().isEmpty() ? r.expr().orElse(null) : null;
  }

  // ---------------------------------------------------------------- groups

  private CompiledGroup group(FeatureGroup g) {
    int errorsBefore = diags.all().size();
    Entity entity = g.entity() == null ? null : project.entities().get(g.entity());
    if (g.entity() != null && entity == null) {
      diags.error(g.entityPos(), "unknown entity '" + g.entity() + "'" + Suggestions.hint(g.entity(), project.entities().keySet()));
    }
    Source source = g.source() == null ? null : project.sources().get(g.source());
    if (g.source() != null && source == null) {
      diags.error(g.sourcePos(), "unknown source '" + g.source() + "'" + Suggestions.hint(g.source(), project.sources().keySet()));
    }
    Schema schema = source == null ? null : source.schema();

    List<KeyColumn> keys = new ArrayList<>();
    if (entity != null) {
      for (Field key : entity.keys()) {
        ExprText text = g.keys().get(key.name());
        if (text == null) {
          diags.error(g.keysPos(), "keys of group '" + g.name() + "' must map entity key '" + key.name()
              + "' of entity '" + entity.name() + "' to a source expression");
          continue;
        }
        TypedExpr e = schema == null ? null : expression(text, schema, key.type(), "key '" + key.name() + "'");
        keys.add(new KeyColumn(key.name(), key.type(), e));
      }
      for (Map.Entry<String, ExprText> k : g.keys().entrySet()) {
        if (entity.keys().stream().noneMatch(f -> f.name().equals(k.getKey()))) {
          List<String> names = entity.keys().stream().map(Field::name).toList();
          diags.error(k.getValue().pos(), "entity '" + entity.name() + "' has no key '" + k.getKey() + "'"
              + Suggestions.hint(k.getKey(), names));
        }
      }
    }
    TypedExpr filter = schema == null ? null : expression(g.filter(), schema, DataType.BOOLEAN, "filter");

    // Aggregations in tile order: by name, so reordering the YAML changes no tile.
    List<Aggregation> sorted = new ArrayList<>(g.aggregations());
    sorted.sort(Comparator.comparing(Aggregation::name));
    Map<String, SourcePosition> aggNames = new HashMap<>();
    for (Aggregation a : g.aggregations()) {
      SourcePosition first = aggNames.putIfAbsent(a.name(), a.pos());
      if (first != null) {
        diags.error(a.pos(), "duplicate aggregation '" + a.name() + "' in group '" + g.name() + "' (first at " + first + ")");
      }
    }
    List<CompiledAggregation> aggs = new ArrayList<>();
    List<CompiledFeature> features = new ArrayList<>();
    Map<String, SourcePosition> featureNames = new HashMap<>();
    TreeMap<Long, List<Integer>> tiles = new TreeMap<>();
    Set<String> seenAgg = new HashSet<>();
    for (Aggregation a : sorted) {
      if (!seenAgg.add(a.name())) {
        continue;
      }
      Optional<AggregationFunction> fn = AggregationFunction.fromName(a.function());
      if (fn.isEmpty()) {
        continue; // reported by ShapeChecker; Aggregation refuses unknown names from Java
      }
      if (a.hopMicros() != null && Durations.DAY % a.hopMicros() != 0 && a.hopMicros() % Durations.DAY != 0) {
        diags.error(a.hopPos(), "hop " + Durations.format(a.hopMicros()) + " of aggregation '" + a.name()
            + "' must divide a day or be whole days, so tiles align with daily partitions");
        continue;
      }
      TypedExpr input = schema == null ? null : expression(a.input(), schema, null, "input of '" + a.name() + "'");
      if (schema == null || (a.input() != null && input == null)) {
        continue; // the reason is reported already
      }
      DataType inputType = input == null ? null : input.type();
      AggregationResolution res = Aggregations.resolve(fn.get(), a.args(), inputType);
      if (res.error() != null) {
        diags.error(a.input() != null ? a.input().pos() : a.functionPos(), "aggregation '" + a.name() + "': " + res.error());
        continue;
      }
      int index = aggs.size();
      aggs.add(new CompiledAggregation(a.name(), fn.get(), a.args(), input, inputType, res.outputType()));
      Set<Window> windows = new HashSet<>();
      for (Aggregation.WindowSpec w : a.windows()) {
        if (!windows.add(w.window())) {
          diags.error(w.pos(), "window " + w.window().text() + " is listed twice in aggregation '" + a.name() + "'");
          continue;
        }
        long hop = a.hopMicros() != null ? a.hopMicros() : w.window().defaultHopMicros();
        if (!w.window().isLifetime() && w.window().micros() % hop != 0) {
          diags.error(w.pos(), "window " + w.window().text() + " of aggregation '" + a.name()
              + "' is not a multiple of its hop " + Durations.format(hop));
          continue;
        }
        String featureName = a.name() + "_" + w.window().text();
        SourcePosition first = featureNames.putIfAbsent(featureName, w.pos());
        if (first != null) {
          diags.error(w.pos(), "duplicate feature name '" + featureName + "' in group '" + g.name() + "' (first at " + first + ")");
          continue;
        }
        features.add(new CompiledFeature(featureName, g.name() + "." + featureName, a.name(), index, w.window(), hop,
            res.outputType(), null));
        List<Integer> slots = tiles.computeIfAbsent(hop, h -> new ArrayList<>());
        if (!slots.contains(index)) {
          slots.add(index);
        }
      }
    }
    if (g.online() && g.ttlMicros() == null) {
      // no TTL: values are served for as long as the window holds events; that is a valid choice.
    }
    if (diags.all().size() > errorsBefore || entity == null || source == null) {
      return null;
    }
    List<TileSpec> tileSpecs = new ArrayList<>();
    tiles.forEach((hop, idx) -> tileSpecs.add(new TileSpec(hop, idx)));
    features.sort(Comparator.comparing(CompiledFeature::name));
    return Fingerprints.finish(new CompiledGroup(g.name(), null, null, g.entity(), g.source(), keys, filter, aggs,
        features, tileSpecs, g.online(), g.offline(), g.ttlMicros(), g.freshnessMicros(), g.owner(), g.tags(), g.description()),
        source.timestamp());
  }

  // ---------------------------------------------------------------- services

  private CompiledService service(FeatureService s, Map<String, CompiledGroup> groups) {
    List<ServiceFeature> features = new ArrayList<>();
    Set<String> seen = new LinkedHashSet<>();
    for (FeatureService.FeatureRef ref : s.features()) {
      String text = ref.text();
      int dot = text.indexOf('.');
      if (dot <= 0 || dot == text.length() - 1) {
        diags.error(ref.pos(), "feature '" + text + "' must be written group.feature or group.*");
        continue;
      }
      String groupName = text.substring(0, dot);
      String featureName = text.substring(dot + 1);
      CompiledGroup g = groups.get(groupName);
      if (g == null) {
        if (!project.featureGroups().containsKey(groupName)) {
          diags.error(ref.pos(), "unknown feature group '" + groupName + "'"
              + Suggestions.hint(groupName, project.featureGroups().keySet()));
        }
        continue; // a group with its own mistakes was reported where it is defined
      }
      List<CompiledFeature> picked = new ArrayList<>();
      if (featureName.equals("*")) {
        picked.addAll(g.features());
      } else {
        Optional<CompiledFeature> f = g.feature(featureName);
        if (f.isEmpty() && diags.isPoisoned(ProjectLoader.FEATURE_GROUP, groupName)) {
          continue; // the group's definition has a mistake (e.g. a misspelled 'windows'), reported there
        }
        if (f.isEmpty()) {
          diags.error(ref.pos(), "group '" + groupName + "' has no feature '" + featureName + "'"
              + Suggestions.hint(featureName, g.features().stream().map(CompiledFeature::name).toList()));
          continue;
        }
        picked.add(f.get());
      }
      for (CompiledFeature f : picked) {
        if (!seen.add(f.qualifiedName())) {
          diags.error(ref.pos(), "feature '" + f.qualifiedName() + "' is listed twice in service '" + s.name() + "'");
          continue;
        }
        features.add(new ServiceFeature(f.qualifiedName(), g.name(), f.name(), f.type()));
      }
    }
    checkRequest(s, features, groups);
    return new CompiledService(s.name(), features, derived(s, features), s.request(), s.description());
  }

  /**
   * Request inputs travel beside the entity keys in a request (Feast's request sources are
   * columns of "entities"), so a request input may not share a name with a key of an entity the
   * service reads; and {@code request.} names them in expressions, so no group read by such a
   * service may be called {@code request}.
   */
  /** service.input of request inputs whose mistake was reported with their service. */
  private final Set<String> reportedRequestInputs = new HashSet<>();

  private void checkRequest(FeatureService s, List<ServiceFeature> features, Map<String, CompiledGroup> groups) {
    if (s.request().isEmpty()) {
      return;
    }
    Map<String, String> keyOwners = new LinkedHashMap<>();
    for (ServiceFeature f : features) {
      CompiledGroup g = groups.get(f.group());
      Entity e = g == null ? null : project.entities().get(g.entity());
      if (e != null) {
        e.keys().forEach(k -> keyOwners.putIfAbsent(NameRules.fold(k.name()), e.name()));
      }
      if (NameRules.fold(f.group()).equals("request")) {
        diags.error(s.pos(), "service '" + s.name() + "' has request inputs, which its expressions name request.<input>,"
            + " so it cannot read feature group '" + f.group() + "'; rename the group");
        break;
      }
    }
    Set<String> seenInputs = new HashSet<>();
    for (Field r : s.request()) {
      if (!seenInputs.add(NameRules.fold(r.name()))) {
        diags.error(s.pos(), "service '" + s.name() + "' declares request input '" + r.name() + "' twice (names ignore case)");
      }
      String owner = keyOwners.get(NameRules.fold(r.name()));
      if (owner != null) {
        reportedRequestInputs.add(s.name() + "." + r.name());
        diags.error(s.pos(), "request input '" + r.name() + "' of service '" + s.name() + "' has the name of a key of entity '"
            + owner + "': a request carries keys and request inputs side by side; rename the input");
      }
    }
  }

  /** Type checks derived features in dependency order; reports unknown names and cycles. */
  private List<CompiledDerived> derived(FeatureService s, List<ServiceFeature> features) {
    Map<String, FeatureService.Derived> byName = new LinkedHashMap<>();
    for (FeatureService.Derived d : s.derived()) {
      if (byName.putIfAbsent(d.name(), d) != null) {
        diags.error(d.pos(), "duplicate derived feature '" + d.name() + "' in service '" + s.name() + "'");
      }
      if (features.stream().anyMatch(f -> f.qualifiedName().equals(d.name()))) {
        diags.error(d.pos(), "derived feature '" + d.name() + "' has the name of a feature of the service");
      }
    }
    // Dependencies from the names each expression mentions (parsed, not typed: typing needs
    // the types of the derived features it depends on, so it comes after ordering).
    Map<String, Set<String>> deps = new LinkedHashMap<>();
    for (FeatureService.Derived d : byName.values()) {
      Set<String> ds = new LinkedHashSet<>();
      for (String column : Expressions.referencedColumns(d.expr().text()).orElse(Set.of())) {
        if (byName.containsKey(column)) {
          ds.add(column);
        }
      }
      deps.put(d.name(), ds);
    }
    List<String> order = new ArrayList<>();
    Set<String> done = new HashSet<>();
    Set<String> inCycle = new HashSet<>();
    for (String name : byName.keySet()) {
      visit(name, deps, done, new ArrayDeque<>(), order, inCycle, byName);
    }
    List<CompiledDerived> out = new ArrayList<>();
    Map<String, DataType> derivedTypes = new LinkedHashMap<>();
    Set<String> poisoned = new HashSet<>(inCycle);
    for (String name : order) {
      FeatureService.Derived d = byName.get(name);
      Schema.Builder visible = Schema.builder();
      features.forEach(f -> visible.add(f.qualifiedName(), f.type()));
      derivedTypes.forEach(visible::add);
      s.request().forEach(r -> visible.add(CompiledService.requestColumn(r.name()), r.type()));
      Schema schema = visible.build();
      if (readsPoisoned(s.name(), d, schema, poisoned)) {
        poisoned.add(name); // and so are the derived features that read this one
        continue;
      }
      TypedExpr e = expression(d.expr(), schema, null, "derived feature '" + name + "'");
      if (e != null) {
        derivedTypes.put(name, e.type());
        out.add(new CompiledDerived(name, e, e.type()));
      } else {
        poisoned.add(name);
      }
    }
    return out;
  }

  /**
   * Whether a derived feature reads a name it cannot see because that name's definition has a
   * mistake reported already: a feature of a group with a mistake, or a derived feature that did
   * not type check. Checking it would only add "unknown column" errors that the one real mistake
   * causes; a name that is simply unknown is still reported.
   */
  private boolean readsPoisoned(String service, FeatureService.Derived d, Schema visible, Set<String> poisonedDerived) {
    for (String column : Expressions.referencedColumns(d.expr().text()).orElse(Set.of())) {
      if (visible.names().contains(column)) {
        continue;
      }
      if (poisonedDerived.contains(column)) {
        return true;
      }
      int dot = column.indexOf('.');
      if (dot > 0 && diags.isPoisoned(ProjectLoader.FEATURE_GROUP, column.substring(0, dot))) {
        return true;
      }
      if (column.startsWith(CompiledService.REQUEST_PREFIX) && diags.isPoisoned(ProjectLoader.REQUEST_INPUT,
          service + "." + column.substring(CompiledService.REQUEST_PREFIX.length()))) {
        return true;
      }
    }
    return false;
  }

  private void visit(String name, Map<String, Set<String>> deps, Set<String> done, Deque<String> path,
      List<String> order, Set<String> inCycle, Map<String, FeatureService.Derived> byName) {
    if (done.contains(name)) {
      return;
    }
    if (path.contains(name)) {
      List<String> cycle = new ArrayList<>();
      boolean on = false;
      for (java.util.Iterator<String> it = path.descendingIterator(); it.hasNext(); ) {
        String p = it.next();
        on |= p.equals(name);
        if (on) {
          cycle.add(p);
        }
      }
      cycle.add(name);
      if (inCycle.add(name)) {
        diags.error(byName.get(name).pos(), "derived features form a cycle: " + String.join(" -> ", cycle));
        inCycle.addAll(cycle);
      }
      return;
    }
    path.push(name);
    for (String d : deps.getOrDefault(name, Set.of())) {
      visit(d, deps, done, path, order, inCycle, byName);
    }
    path.pop();
    done.add(name);
    if (!inCycle.contains(name)) {
      order.add(name);
    }
  }

  // ---------------------------------------------------------------- training sets, monitors

  private CompiledTrainingSet trainingSet(TrainingSet t, Map<String, CompiledService> services,
      Map<String, CompiledGroup> groups) {
    CompiledService service = t.service() == null ? null : services.get(t.service());
    if (t.service() != null && service == null) {
      diags.error(t.servicePos(), "unknown feature service '" + t.service() + "'"
          + Suggestions.hint(t.service(), project.featureServices().keySet()));
    }
    TrainingSet.Spine spine = t.spine();
    Map<String, List<TypedExpr>> keys = new LinkedHashMap<>();
    TypedExpr label = null;
    String timestamp = null;
    Schema schema = null;
    if (spine != null) {
      if ((spine.source() == null) == (spine.path() == null)) {
        diags.error(spine.pos(), "spine of training set '" + t.name() + "' needs exactly one of 'source' or 'path'");
      }
      Source src = spine.source() == null ? null : project.sources().get(spine.source());
      if (spine.source() != null && src == null) {
        diags.error(spine.pos(), "unknown source '" + spine.source() + "' in spine"
            + Suggestions.hint(spine.source(), project.sources().keySet()));
      }
      if (spine.source() != null && !spine.columns().isEmpty()) {
        diags.error(spine.pos(), "spine of training set '" + t.name() + "' takes 'schema' only with 'path': a source spine has"
            + " the source's columns");
      }
      if (src != null) {
        schema = src.schema();
        timestamp = spine.timestamp() != null ? spine.timestamp() : src.timestamp();
      } else if (spine.source() == null && spine.path() != null) {
        timestamp = spine.timestamp() != null ? spine.timestamp() : fileSpineTime(t, service, groups);
        schema = timestamp == null ? null : fileSpineSchema(t, timestamp, service == null ? List.of() : service.request());
      }
      if (schema != null && timestamp != null) {
        Optional<Field> time = schema.find(timestamp);
        if (time.isEmpty()) {
          diags.error(spine.pos(), "spine time column '" + timestamp + "' of training set '" + t.name() + "' is not a column of source '"
              + spine.source() + "'" + Suggestions.hint(timestamp, schema.names()));
        } else if (time.get().type() != DataType.TIMESTAMP) {
          diags.error(spine.pos(), "spine time column '" + timestamp + "' of training set '" + t.name() + "' must be timestamp, got "
              + time.get().type());
        }
      }
      Set<String> needed = new LinkedHashSet<>();
      if (service != null) {
        for (String g : service.groups()) {
          needed.add(groups.get(g).entity());
        }
      }
      for (Map.Entry<String, List<ExprText>> k : spine.keys().entrySet()) {
        Entity entity = project.entities().get(k.getKey());
        SourcePosition kp = spine.keyPos().getOrDefault(k.getKey(), spine.pos());
        if (entity == null) {
          diags.error(kp, "unknown entity '" + k.getKey() + "' in spine keys" + Suggestions.hint(k.getKey(), project.entities().keySet()));
          continue;
        }
        if (k.getValue().size() != entity.keys().size()) {
          diags.error(kp, "entity '" + entity.name() + "' has " + entity.keys().size() + " key(s) ("
              + String.join(", ", entity.keys().stream().map(Field::name).toList()) + "), the spine gives " + k.getValue().size());
          continue;
        }
        List<TypedExpr> exprs = new ArrayList<>();
        for (int i = 0; i < k.getValue().size(); i++) {
          Field key = entity.keys().get(i);
          if (schema != null) {
            exprs.add(expression(k.getValue().get(i), schema, key.type(), "spine key '" + key.name() + "'"));
          }
        }
        keys.put(entity.name(), exprs);
      }
      for (String e : needed) {
        if (!spine.keys().containsKey(e)) {
          diags.error(spine.pos(), "spine of training set '" + t.name() + "' must give the keys of entity '" + e
              + "' (used by service '" + t.service() + "')");
        }
      }
      if (schema != null) {
        label = expression(spine.label(), schema, null, "label");
      }
      if (schema != null && service != null) {
        for (Field r : service.request()) {
          Optional<Field> column = schema.find(r.name());
          if (reportedRequestInputs.contains(service.name() + "." + r.name())) {
            continue; // its definition's mistake is reported with the service
          } else if (column.isEmpty()) {
            diags.error(spine.pos(), "spine of training set '" + t.name() + "' has no column '" + r.name() + "' for request input '"
                + r.name() + "' of service '" + service.name() + "' (a training set takes each request input from the spine"
                + " column of the same name)" + Suggestions.hint(r.name(), schema.names()));
          } else if (!column.get().type().widensTo(r.type())) {
            diags.error(spine.pos(), "spine column '" + r.name() + "' of training set '" + t.name() + "' is "
                + column.get().type() + ", but request input '" + r.name() + "' of service '" + service.name() + "' is "
                + r.type());
          }
        }
      }
    }
    return new CompiledTrainingSet(t.name(), t.service(), spine == null ? null : spine.source(),
        spine == null ? null : spine.path(), timestamp, schema, keys, label);
  }

  /**
   * The time column of a file spine that names none: the timestamp column of the sources of the
   * service's groups when they all call it the same, so a spine cut from the events needs no
   * setting; otherwise an error asking for one.
   */
  private String fileSpineTime(TrainingSet t, CompiledService service, Map<String, CompiledGroup> groups) {
    Set<String> names = new java.util.TreeSet<>();
    if (service != null) {
      for (String g : service.groups()) {
        Source src = project.sources().get(groups.get(g).source());
        if (src != null && src.timestamp() != null) {
          names.add(src.timestamp());
        }
      }
    }
    if (names.size() == 1) {
      return names.iterator().next();
    }
    if (service != null) {
      diags.error(t.spine().pos(), "spine of training set '" + t.name() + "' reads a file: name its time column with 'timestamp'"
          + (names.isEmpty() ? "" : " (the service's sources call theirs " + String.join(", ", names) + ")"));
    }
    return null;
  }

  /**
   * The columns a file spine is read with, in this order: each key column (a key expression that
   * is a bare column name) typed as its entity key, the time column as a timestamp, then the
   * other columns of the spine's {@code schema}. A declared type wins (the key expression is then
   * checked against the entity key's type as everywhere).
   */
  private Schema fileSpineSchema(TrainingSet t, String timestamp, List<Field> request) {
    TrainingSet.Spine spine = t.spine();
    Map<String, DataType> declared = new LinkedHashMap<>();
    for (Field f : spine.columns()) {
      declared.putIfAbsent(f.name(), f.type());
    }
    Map<String, DataType> columns = new LinkedHashMap<>();
    Map<String, String> keyOf = new HashMap<>();
    for (Map.Entry<String, List<ExprText>> k : spine.keys().entrySet()) {
      Entity entity = project.entities().get(k.getKey());
      if (entity == null || k.getValue().size() != entity.keys().size()) {
        continue; // reported with the keys
      }
      for (int i = 0; i < k.getValue().size(); i++) {
        Field key = entity.keys().get(i);
        String column = Expressions.columnName(k.getValue().get(i).text()).orElse(null);
        if (column == null) {
          continue; // an expression: the columns it reads are declared in the schema
        }
        String what = entity.name() + "." + key.name();
        keyOf.putIfAbsent(column, what);
        DataType type = declared.getOrDefault(column, key.type());
        DataType before = columns.putIfAbsent(column, type);
        if (before != null && before != type) {
          diags.error(spine.keyPos().getOrDefault(k.getKey(), spine.pos()), "spine column '" + column + "' of training set '"
              + t.name() + "' cannot be both " + before + " (key " + keyOf.get(column) + ") and " + type + " (key " + what
              + "); declare its type in the spine's schema");
        }
      }
    }
    if (keyOf.containsKey(timestamp)) {
      diags.error(spine.pos(), "spine time column '" + timestamp + "' of training set '" + t.name() + "' is also the column of key "
          + keyOf.get(timestamp));
      return null;
    }
    columns.put(timestamp, declared.getOrDefault(timestamp, DataType.TIMESTAMP));
    // A request input's column is typed from the service, as a key's column from its entity.
    request.forEach(r -> columns.putIfAbsent(r.name(), declared.getOrDefault(r.name(), r.type())));
    declared.forEach(columns::putIfAbsent);
    List<Field> fields = new ArrayList<>();
    columns.forEach((n, type) -> fields.add(new Field(n, type)));
    return Schema.of(fields);
  }

  private CompiledMonitor monitor(Monitor m) {
    if (m.service() != null && !project.featureServices().containsKey(m.service())) {
      diags.error(m.servicePos(), "unknown feature service '" + m.service() + "'"
          + Suggestions.hint(m.service(), project.featureServices().keySet()));
    }
    Monitor.Predictions p = m.predictions();
    if (p != null && (p.model() == null) == (p.table() == null)) {
      diags.error(m.pos(), "predictions of monitor '" + m.name() + "' need exactly one of 'model' or 'table'");
    } else if (p != null && p.table() != null && p.column() == null) {
      diags.error(m.pos(), "predictions of monitor '" + m.name() + "' need a 'column' with 'table'");
    } else if (p != null && p.model() != null && (p.column() != null || p.label() != null)) {
      diags.error(m.pos(), "predictions of monitor '" + m.name() + "' take 'column' and 'label' only with 'table'"
          + " (the prediction log has its own)");
    }
    return new CompiledMonitor(m.name(), m.service(), p == null ? null : p.model(), p == null ? null : p.table(),
        p == null ? null : p.column(),
        p == null ? null : p.label(), m.referenceFromMicros(), m.referenceToMicros(), m.everyMicros(), m.metrics(),
        m.thresholds(), m.segments().stream().map(ExprText::text).toList());
  }
}
