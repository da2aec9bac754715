package dev.strata.dsl.lang;

import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.model.Aggregation;
import dev.strata.dsl.model.Entity;
import dev.strata.dsl.model.FeatureGroup;
import dev.strata.dsl.model.FeatureService;
import dev.strata.dsl.model.Project;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.model.TrainingSet;
import dev.strata.dsl.types.Field;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Checks every name of a project against {@link NameRules}, including the names the later stages
 * derive from it: table names, table columns and training-set columns that would be equal
 * ignoring case (Spark and Iceberg resolve names case-insensitively), groups named like
 * Strata's own tables, and names that are not valid or too long (for projects built in Java;
 * YAML names are also checked where they are written, by {@link ShapeChecker}).
 *
 * <p>Exact duplicates (two groups {@code g}) are reported by the loader and the compiler; this
 * reports the pairs that differ only in case.
 */
public final class NameChecker {
  private final Project project;
  private final Diagnostics diags;

  private NameChecker(Project project, Diagnostics diags) {
    this.project = project;
    this.diags = diags;
  }

  /** Adds a diagnostic to {@code diags} for every name a later stage could not take. */
  public static void check(Project project, Diagnostics diags) {
    new NameChecker(project, diags).run();
  }

  private void run() {
    definitions("entity", project.entities(), Entity::pos);
    definitions("source", project.sources(), Source::pos);
    definitions("feature group", project.featureGroups(), FeatureGroup::pos);
    definitions("feature service", project.featureServices(), FeatureService::pos);
    definitions("training set", project.trainingSets(), TrainingSet::pos);
    definitions("monitor", project.monitors(), m -> m.pos());
    for (Entity e : project.entities().values()) {
      entity(e);
    }
    for (Source s : project.sources().values()) {
      columns("source '" + s.name() + "'", s.schema().fields(), s.pos());
    }
    for (FeatureGroup g : project.featureGroups().values()) {
      group(g);
    }
    for (FeatureService s : project.featureServices().values()) {
      Map<String, NameAt> derived = new HashMap<>();
      for (FeatureService.Derived d : s.derived()) {
        name(d.name(), d.pos());
        unique(derived, d.name(), d.pos(), "derived feature", "service '" + s.name() + "'");
      }
    }
    for (TrainingSet t : project.trainingSets().values()) {
      trainingSet(t);
    }
  }

  private record NameAt(String name, SourcePosition pos) {}

  private void name(String name, SourcePosition pos) {
    NameRules.nameProblem(name).ifPresent(p -> diags.error(pos, p));
  }

  /** Names of one kind: valid, and unique ignoring case (Iceberg tables, Kubernetes names, folders). */
  private <T> void definitions(String kind, Map<String, T> byName, Function<T, SourcePosition> pos) {
    Map<String, NameAt> seen = new HashMap<>();
    for (Map.Entry<String, T> e : byName.entrySet()) {
      SourcePosition at = pos.apply(e.getValue());
      name(e.getKey(), at);
      unique(seen, e.getKey(), at, kind, null);
    }
  }

  /**
   * Records {@code name} in {@code seen} (by its folded form) and reports it when an earlier name
   * differs from it only in case. Exact repeats are left to whoever reports duplicates.
   */
  private void unique(Map<String, NameAt> seen, String name, SourcePosition pos, String kind, String where) {
    NameAt first = seen.putIfAbsent(NameRules.fold(name), new NameAt(name, pos));
    if (first != null && !first.name().equals(name)) {
      diags.error(pos, kind + " '" + name + "'" + (where == null ? "" : " in " + where) + " differs only in case from '"
          + first.name() + "' (" + describe(first.pos()) + "); Spark and Iceberg ignore case in names, so they would be one");
    }
  }

  private static String describe(SourcePosition pos) {
    return pos.equals(SourcePosition.UNKNOWN) ? "defined before" : "at " + pos;
  }

  private void columns(String owner, List<Field> fields, SourcePosition pos) {
    Map<String, String> seen = new HashMap<>();
    for (Field f : fields) {
      NameRules.columnProblem(f.name()).ifPresent(p -> diags.error(pos, "column of " + owner + ": " + p));
      String first = seen.putIfAbsent(NameRules.fold(f.name()), f.name());
      if (first != null && !first.equals(f.name())) {
        diags.error(pos, owner + " has columns '" + first + "' and '" + f.name()
            + "', which differ only in case; Spark and Iceberg ignore case in column names");
      }
    }
  }

  private void entity(Entity e) {
    columns("entity '" + e.name() + "'", e.keys(), e.pos());
    for (Field key : e.keys()) {
      String folded = NameRules.fold(key.name());
      if (NameRules.TILE_TABLE_COLUMNS.contains(folded) || NameRules.SNAPSHOT_TABLE_COLUMNS.contains(folded)) {
        diags.error(e.pos(), "key '" + key.name() + "' of entity '" + e.name() + "' has the name of a column Strata adds "
            + "to every feature table (" + String.join(", ", sorted(NameRules.TILE_TABLE_COLUMNS, NameRules.SNAPSHOT_TABLE_COLUMNS))
            + "); rename the key");
      }
    }
  }

  private static List<String> sorted(java.util.Set<String> a, java.util.Set<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    all.sort(null);
    return all;
  }

  private void group(FeatureGroup g) {
    if (NameRules.RESERVED_TABLES.contains(NameRules.fold(g.name()))) {
      diags.error(g.pos(), "feature group '" + g.name() + "' has the name of one of Strata's own tables ("
          + String.join(", ", NameRules.RESERVED_TABLES.stream().sorted().toList()) + "); choose another name");
    }
    Map<String, NameAt> aggregations = new HashMap<>();
    for (Aggregation a : g.aggregations()) {
      name(a.name(), a.pos());
      unique(aggregations, a.name(), a.pos(), "aggregation", "group '" + g.name() + "'");
    }
    // The snapshot table's columns: the entity's keys, then one per feature.
    Entity entity = g.entity() == null ? null : project.entities().get(g.entity());
    Map<String, String> keys = new HashMap<>();
    if (entity != null) {
      entity.keys().forEach(k -> keys.putIfAbsent(NameRules.fold(k.name()), k.name()));
    }
    Map<String, NameAt> features = new HashMap<>();
    for (Feature f : features(g)) {
      String key = keys.get(NameRules.fold(f.name()));
      if (key != null) {
        diags.error(f.pos(), "feature '" + f.name() + "' of group '" + g.name() + "' has the name of key '" + key
            + "' of entity '" + entity.name() + "'; they would be one column of the group's tables");
      } else {
        unique(features, f.name(), f.pos(), "feature", "group '" + g.name() + "'");
      }
    }
  }

  /** A feature of a group as the compiler names it: {@code <aggregation>_<window>}. */
  private record Feature(String name, SourcePosition pos) {}

  private static List<Feature> features(FeatureGroup g) {
    List<Feature> out = new ArrayList<>();
    for (Aggregation a : g.aggregations()) {
      for (Aggregation.WindowSpec w : a.windows()) {
        out.add(new Feature(a.name() + "_" + w.window().text(), w.pos()));
      }
    }
    return out;
  }

  /**
   * A training set's columns: the spine source's columns, {@code label}, {@code <group>__<feature>}
   * per service feature, then the derived features. Two that are equal ignoring case would be
   * one column (or a failed write) in Spark.
   */
  private void trainingSet(TrainingSet t) {
    FeatureService service = t.service() == null ? null : project.featureServices().get(t.service());
    Source spine = t.spine() == null || t.spine().source() == null ? null : project.sources().get(t.spine().source());
    if (service == null || spine == null) {
      return; // unknown references are the compiler's to report
    }
    Map<String, String> columns = new LinkedHashMap<>();
    List<String> collisions = new ArrayList<>();
    for (Field f : spine.schema().fields()) {
      // columns that differ only in case are reported with the source
      columns.putIfAbsent(NameRules.fold(f.name()), "column '" + f.name() + "' of spine source '" + spine.name() + "'");
    }
    add(columns, NameRules.LABEL_COLUMN, "the label", collisions);
    for (String qualified : serviceFeatures(service)) {
      add(columns, NameRules.trainingColumn(qualified), "the column '" + NameRules.trainingColumn(qualified)
          + "' of feature " + qualified, collisions);
    }
    for (FeatureService.Derived d : service.derived()) {
      add(columns, d.name(), "derived feature '" + d.name() + "'", collisions);
    }
    for (String c : collisions) {
      diags.error(t.pos(), "training set '" + t.name() + "' would have two columns named alike: " + c
          + " (Spark ignores case in column names); rename one");
    }
  }

  private static void add(Map<String, String> columns, String name, String what, List<String> collisions) {
    String first = columns.putIfAbsent(NameRules.fold(name), what);
    if (first != null && !first.equals(what)) {
      collisions.add(first + " and " + what);
    }
  }

  /** The qualified names of the features a service lists (unknown ones are the compiler's to report). */
  private java.util.Set<String> serviceFeatures(FeatureService service) {
    java.util.Set<String> out = new java.util.LinkedHashSet<>();
    for (FeatureService.FeatureRef ref : service.features()) {
      int dot = ref.text().indexOf('.');
      if (dot <= 0) {
        continue;
      }
      String groupName = ref.text().substring(0, dot);
      String feature = ref.text().substring(dot + 1);
      FeatureGroup g = project.featureGroups().get(groupName);
      if (g == null) {
        continue;
      }
      for (Feature f : features(g)) {
        if (feature.equals("*") || feature.equals(f.name())) {
          out.add(groupName + "." + f.name());
        }
      }
    }
    return out;
  }
}
