package dev.strata.dsl.plan;

import dev.strata.dsl.agg.AggregationFunction;
import dev.strata.dsl.expr.TypedExpr;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.time.Window;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The compiled form of a project: every name resolved, every expression typed, every feature
 * with its window, hop and type, every group with a fingerprint. Engines (Spark, Flink, the
 * online reader, the oracle) work from this, never from YAML. Immutable.
 */
public record CompiledPlan(
    String project,
    List<CompiledEntity> entities,
    List<CompiledSource> sources,
    List<CompiledGroup> groups,
    List<CompiledService> services,
    List<CompiledTrainingSet> trainingSets,
    List<CompiledMonitor> monitors) {

  /** Bumped when the JSON form changes incompatibly. */
  public static final int FORMAT_VERSION = 1;

  public CompiledPlan {
    entities = List.copyOf(entities);
    sources = List.copyOf(sources);
    groups = List.copyOf(groups);
    services = List.copyOf(services);
    trainingSets = List.copyOf(trainingSets);
    monitors = List.copyOf(monitors);
  }

  public Optional<CompiledGroup> group(String name) {
    return groups.stream().filter(g -> g.name().equals(name)).findFirst();
  }

  public Optional<CompiledSource> source(String name) {
    return sources.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<CompiledEntity> entity(String name) {
    return entities.stream().filter(e -> e.name().equals(name)).findFirst();
  }

  public Optional<CompiledService> service(String name) {
    return services.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<CompiledTrainingSet> trainingSet(String name) {
    return trainingSets.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public Optional<CompiledMonitor> monitor(String name) {
    return monitors.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  public record CompiledEntity(String name, List<Field> keys) {
    public CompiledEntity {
      keys = List.copyOf(keys);
    }
  }

  public record CompiledSource(String name, String timestamp, Schema schema, Source.Batch batch, Source.Stream stream) {}

  /** An entity key of a group and the typed source expression it comes from. */
  public record KeyColumn(String name, DataType type, TypedExpr expr) {}

  /**
   * An aggregation: its function, arguments, typed input (null for count(*)) and its slot in the
   * group's tiles.
   */
  public record CompiledAggregation(
      String name, AggregationFunction function, List<Object> args, TypedExpr input, DataType inputType, DataType outputType) {
    public CompiledAggregation {
      args = List.copyOf(args);
    }
  }

  /**
   * An output feature: one aggregation over one window. {@code name} is {@code
   * <aggregation>_<window>}; {@code qualifiedName} is {@code <group>.<name>}.
   */
  public record CompiledFeature(
      String name,
      String qualifiedName,
      String aggregation,
      int aggregationIndex,
      Window window,
      long hopMicros,
      DataType type,
      String fingerprint) {}

  /**
   * The tiles of a group for one hop: which aggregations (indexes into {@link
   * CompiledGroup#aggregations()}, in order) a tile of that hop holds.
   */
  public record TileSpec(long hopMicros, List<Integer> aggregationIndexes) {
    public TileSpec {
      aggregationIndexes = List.copyOf(aggregationIndexes);
    }
  }

  /**
   * A feature group. Aggregations are in tile order (sorted by name, so reordering the YAML
   * changes nothing); {@code fingerprint} changes exactly when a computed value would change;
   * {@code version} is its first 12 hex digits and names the group's tables and Redis keys.
   */
  public record CompiledGroup(
      String name,
      String fingerprint,
      String version,
      String entity,
      String source,
      List<KeyColumn> keys,
      TypedExpr filter,
      List<CompiledAggregation> aggregations,
      List<CompiledFeature> features,
      List<TileSpec> tiles,
      boolean online,
      boolean offline,
      Long ttlMicros,
      Long freshnessMicros,
      String owner,
      Map<String, String> tags,
      String description) {
    public CompiledGroup {
      keys = List.copyOf(keys);
      aggregations = List.copyOf(aggregations);
      features = List.copyOf(features);
      tiles = List.copyOf(tiles);
      tags = Map.copyOf(tags);
    }

    /** The largest window of the group: how far back online tiles must reach. */
    public Window maxWindow() {
      return features.stream().map(CompiledFeature::window).max(Window::compareTo).orElseThrow();
    }

    public Optional<CompiledFeature> feature(String featureName) {
      return features.stream().filter(f -> f.name().equals(featureName)).findFirst();
    }
  }

  /** A feature of a service: a group's feature by qualified name. */
  public record ServiceFeature(String qualifiedName, String group, String feature, DataType type) {}

  /** A derived feature, in evaluation order (dependencies first). */
  public record CompiledDerived(String name, TypedExpr expr, DataType type) {}

  /**
   * A compiled service. {@code request} are its request inputs: derived features read them as
   * columns named {@link #requestColumn(String) request.&lt;name&gt;} of the {@link #evaluationSchema()}.
   */
  public record CompiledService(
      String name, List<ServiceFeature> features, List<CompiledDerived> derived, List<Field> request, String description) {
    /** The prefix of a request input's column in the evaluation schema. */
    public static final String REQUEST_PREFIX = "request.";

    public CompiledService {
      features = List.copyOf(features);
      derived = List.copyOf(derived);
      request = List.copyOf(request);
    }

    /** A service without request inputs. */
    public CompiledService(String name, List<ServiceFeature> features, List<CompiledDerived> derived, String description) {
      this(name, features, derived, List.of(), description);
    }

    /** The column of a request input in the evaluation schema: {@code request.<input>}. */
    public static String requestColumn(String input) {
      return REQUEST_PREFIX + input;
    }

    /**
     * The columns derived features are bound to: the output columns ({@link #schema()}, at the same
     * positions) followed by one column per request input. A row of this schema holds a service's
     * output in its first {@code schema().size()} slots; request inputs are never output.
     */
    public Schema evaluationSchema() {
      Schema.Builder b = Schema.builder();
      features.forEach(f -> b.add(f.qualifiedName(), f.type()));
      derived.forEach(d -> b.add(d.name(), d.type()));
      request.forEach(r -> b.add(requestColumn(r.name()), r.type()));
      return b.build();
    }

    /** The groups the service reads, in first-use order. */
    public List<String> groups() {
      return features.stream().map(ServiceFeature::group).distinct().toList();
    }

    /** Output columns: group features then derived features. */
    public Schema schema() {
      Schema.Builder b = Schema.builder();
      features.forEach(f -> b.add(f.qualifiedName(), f.type()));
      derived.forEach(d -> b.add(d.name(), d.type()));
      return b.build();
    }
  }

  /**
   * A training set: the spine (source or file), the spine time column, the columns of a spine
   * row ({@code spineSchema}: the spine source's schema, or the columns a file spine is read
   * with; null when the definitions are in error), for each entity of the service the typed
   * spine expressions of its keys (over the spine schema) and the label.
   */
  public record CompiledTrainingSet(
      String name, String service, String spineSource, String spinePath, String timestamp, Schema spineSchema,
      Map<String, List<TypedExpr>> keys, TypedExpr label) {}

  public record CompiledMonitor(
      String name, String service, String predictionsModel, String predictionsTable, String predictionsColumn,
      String labelColumn,
      long referenceFromMicros, long referenceToMicros, Long everyMicros, List<String> metrics,
      Map<String, Double> thresholds, List<String> segments) {}
}
