package dev.strata.dsl.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** Every definition of one project, by kind and name, in the order written. Immutable. */
public record Project(
    String name,
    Map<String, Entity> entities,
    Map<String, Source> sources,
    Map<String, FeatureGroup> featureGroups,
    Map<String, FeatureService> featureServices,
    Map<String, TrainingSet> trainingSets,
    Map<String, Monitor> monitors) {

  public Project {
    entities = frozen(entities);
    sources = frozen(sources);
    featureGroups = frozen(featureGroups);
    featureServices = frozen(featureServices);
    trainingSets = frozen(trainingSets);
    monitors = frozen(monitors);
  }

  private static <V> Map<String, V> frozen(Map<String, V> map) {
    return Collections.unmodifiableMap(new LinkedHashMap<>(map));
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  /** The Java way to define a project; compiles to the same plan as the equivalent YAML. */
  public static final class Builder {
    private final String name;
    private final Map<String, Entity> entities = new LinkedHashMap<>();
    private final Map<String, Source> sources = new LinkedHashMap<>();
    private final Map<String, FeatureGroup> groups = new LinkedHashMap<>();
    private final Map<String, FeatureService> services = new LinkedHashMap<>();
    private final Map<String, TrainingSet> trainingSets = new LinkedHashMap<>();
    private final Map<String, Monitor> monitors = new LinkedHashMap<>();

    private Builder(String name) {
      this.name = name;
    }

    public Builder entity(Entity e) {
      put(entities, e.name(), e);
      return this;
    }

    public Builder source(Source s) {
      put(sources, s.name(), s);
      return this;
    }

    public Builder featureGroup(FeatureGroup g) {
      put(groups, g.name(), g);
      return this;
    }

    public Builder featureService(FeatureService s) {
      put(services, s.name(), s);
      return this;
    }

    public Builder trainingSet(TrainingSet t) {
      put(trainingSets, t.name(), t);
      return this;
    }

    public Builder monitor(Monitor m) {
      put(monitors, m.name(), m);
      return this;
    }

    private static <V> void put(Map<String, V> map, String key, V value) {
      if (map.putIfAbsent(key, value) != null) {
        throw new IllegalArgumentException("Cannot add '" + key + "': a definition of that kind with that name exists");
      }
    }

    public Project build() {
      return new Project(name, entities, sources, groups, services, trainingSets, monitors);
    }
  }
}
