package dev.strata.online;

import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.expr.BoundExpression;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledDerived;
import dev.strata.dsl.plan.CompiledPlan.CompiledEntity;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A service (or an ad-hoc list of features) as the reader serves it: its groups, where each
 * group's features go in the output, its derived features and the entity keys its rows carry.
 */
final class ServiceReader {
  private final CompiledPlan plan;
  final CompiledService service;
  final List<GroupReader> groups = new ArrayList<>();
  final List<int[]> columns = new ArrayList<>();
  final List<int[]> featureIndexes = new ArrayList<>();
  final List<BoundExpression> derived = new ArrayList<>();
  final List<String> names = new ArrayList<>();
  final List<DataType> types = new ArrayList<>();
  final List<Field> keyFields = new ArrayList<>();
  final List<String> entities = new ArrayList<>(); // distinct, in first-use order
  final int[] entityOfGroup; // index into entities
  final int features;
  final int evaluationWidth; // output columns, then one slot per request input

  ServiceReader(CompiledPlan plan, CompiledService service, Map<String, GroupReader> online) {
    this.plan = plan;
    this.service = service;
    Schema schema = service.schema();
    for (String g : service.groups()) {
      GroupReader gr = online.get(g);
      groups.add(gr);
      List<Integer> cols = new ArrayList<>();
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < service.features().size(); i++) {
        ServiceFeature f = service.features().get(i);
        if (f.group().equals(g)) {
          cols.add(i);
          CompiledFeature cf = gr.group.feature(f.feature()).orElseThrow();
          idx.add(gr.group.features().indexOf(cf));
        }
      }
      columns.add(cols.stream().mapToInt(Integer::intValue).toArray());
      featureIndexes.add(idx.stream().mapToInt(Integer::intValue).toArray());
      CompiledEntity e = plan.entity(gr.group.entity()).orElseThrow();
      for (Field k : e.keys()) {
        if (keyFields.stream().noneMatch(x -> x.name().equals(k.name()))) {
          keyFields.add(k);
        }
      }
    }
    this.entityOfGroup = new int[groups.size()];
    for (int g = 0; g < groups.size(); g++) {
      String entity = groups.get(g).group.entity();
      if (!entities.contains(entity)) {
        entities.add(entity);
      }
      entityOfGroup[g] = entities.indexOf(entity);
    }
    this.features = service.features().size();
    // Derived features read request inputs from the slots after the output columns.
    Schema evaluation = service.evaluationSchema();
    for (CompiledDerived d : service.derived()) {
      derived.add(BoundExpression.bind(d.expr(), evaluation));
    }
    this.evaluationWidth = evaluation.size();
    for (int i = 0; i < schema.size(); i++) {
      names.add(schema.field(i).name());
      types.add(schema.field(i).type());
    }
  }

  /**
   * The request inputs of one entity row, each of its input's type by {@link TypedValues}' JSON
   * rules ({@code null} is SQL NULL), in the service's order.
   *
   * @throws BadRequestException naming the input when the row lacks one or its value is not of the input's type
   */
  Object[] requestValues(String serviceName, Map<String, Object> row, int rowIndex) {
    List<Field> inputs = service.request();
    Object[] out = new Object[inputs.size()];
    for (int i = 0; i < out.length; i++) {
      Field input = inputs.get(i);
      if (!row.containsKey(input.name())) {
        throw new BadRequestException("Cannot fetch features of service '" + serviceName + "': entity row " + rowIndex
            + " has no value for request input '" + input.name() + "'; the service needs its request inputs beside the keys: "
            + String.join(", ", inputs.stream().map(f -> f.name() + " (" + f.type().sqlName() + ")").toList()));
      }
      try {
        out[i] = TypedValues.fromObject(row.get(input.name()), input.type());
      } catch (ValueFormatException e) {
        throw new BadRequestException("Cannot fetch features of service '" + serviceName + "': request input '" + input.name()
            + "' of entity row " + rowIndex + " must be a " + input.type().sqlName() + " (" + e.getMessage() + ")");
      }
    }
    return out;
  }

  List<Object> entityKey(String serviceName, String entity, Map<String, Object> row, int rowIndex) {
    CompiledEntity e = plan.entity(entity).orElseThrow();
    Object[] key = new Object[e.keys().size()];
    for (int i = 0; i < key.length; i++) {
      Field k = e.keys().get(i);
      Object v = row.get(k.name());
      if (v == null) {
        throw new BadRequestException("Cannot fetch features of service '" + serviceName + "': entity row "
            + rowIndex + " has no value for key '" + k.name() + "'; the service needs every key of its entities: "
            + String.join(", ", keyFields.stream().map(f -> f.name() + " (" + f.type().sqlName() + ")").toList()));
      }
      key[i] = EntityKeys.coerce(v, k.type(), serviceName, k.name(), rowIndex);
    }
    return List.of(key);
  }
}
