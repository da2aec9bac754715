package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.types.Field;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Point-in-time correct features of a service for every row of a spine. */
public record TrainingSet(String name, String service, Spine spine, String description, SourcePosition pos, SourcePosition servicePos) {
  public TrainingSet {
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
    servicePos = servicePos == null ? pos : servicePos;
  }

  /**
   * The spine: a source (its events) or a file; for each entity of the service the spine
   * expressions of its keys, in the entity's key order; the time column; the label; for a file,
   * the declared types of its columns beyond the keys and the time ({@code columns}, empty when
   * none are declared).
   */
  public record Spine(
      String source,
      String path,
      Map<String, List<ExprText>> keys,
      String timestamp,
      ExprText label,
      List<Field> columns,
      SourcePosition pos,
      Map<String, SourcePosition> keyPos) {
    public Spine {
      keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
      columns = columns == null ? List.of() : List.copyOf(columns);
      keyPos = Collections.unmodifiableMap(new LinkedHashMap<>(keyPos));
      pos = pos == null ? SourcePosition.UNKNOWN : pos;
    }
  }

  public static TrainingSet of(String name, String service, String spineSource, Map<String, List<String>> keys, String label) {
    Map<String, List<ExprText>> k = new LinkedHashMap<>();
    keys.forEach((entity, exprs) -> k.put(entity, exprs.stream().map(ExprText::of).toList()));
    return new TrainingSet(name, service,
        new Spine(spineSource, null, k, null, label == null ? null : ExprText.of(label), List.of(), null, Map.of()),
        null, null, null);
  }
}
