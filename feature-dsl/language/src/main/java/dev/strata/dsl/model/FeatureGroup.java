package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.time.Durations;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Aggregations of one source, keyed by one entity.
 *
 * <p>{@code ttlMicros} and {@code freshnessMicros} are null when not declared; the freshness
 * expected of the group is then derived from its windows (see {@code dev.strata.dsl.plan.Freshness}).
 */
public record FeatureGroup(
    String name,
    String entity,
    String source,
    Map<String, ExprText> keys,
    ExprText filter,
    List<Aggregation> aggregations,
    boolean online,
    boolean offline,
    Long ttlMicros,
    Long freshnessMicros,
    String owner,
    Map<String, String> tags,
    String description,
    SourcePosition pos,
    SourcePosition entityPos,
    SourcePosition sourcePos,
    SourcePosition keysPos) {

  public FeatureGroup {
    keys = Collections.unmodifiableMap(new LinkedHashMap<>(keys));
    aggregations = List.copyOf(aggregations);
    tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
    entityPos = entityPos == null ? pos : entityPos;
    sourcePos = sourcePos == null ? pos : sourcePos;
    keysPos = keysPos == null ? pos : keysPos;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public static final class Builder {
    private final String name;
    private String entity;
    private String source;
    private final Map<String, ExprText> keys = new LinkedHashMap<>();
    private ExprText filter;
    private final List<Aggregation> aggregations = new ArrayList<>();
    private boolean online;
    private boolean offline = true;
    private Long ttl;
    private Long freshness;
    private String owner;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private String description;

    private Builder(String name) {
      this.name = name;
    }

    public Builder entity(String value) {
      this.entity = value;
      return this;
    }

    public Builder source(String value) {
      this.source = value;
      return this;
    }

    /** Entity key {@code entityKey} comes from the source expression {@code expression}. */
    public Builder key(String entityKey, String expression) {
      keys.put(entityKey, ExprText.of(expression));
      return this;
    }

    public Builder filter(String expression) {
      this.filter = ExprText.of(expression);
      return this;
    }

    public Builder aggregation(Aggregation value) {
      aggregations.add(value);
      return this;
    }

    public Builder online(boolean value) {
      this.online = value;
      return this;
    }

    public Builder offline(boolean value) {
      this.offline = value;
      return this;
    }

    public Builder ttl(String duration) {
      this.ttl = Durations.parseMicros(duration);
      return this;
    }

    /** How fresh the group's data is expected to be, e.g. {@code 2h}. */
    public Builder freshness(String duration) {
      this.freshness = Durations.parseMicros(duration);
      return this;
    }

    public Builder owner(String value) {
      this.owner = value;
      return this;
    }

    public Builder tag(String key, String value) {
      tags.put(key, value);
      return this;
    }

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public FeatureGroup build() {
      return new FeatureGroup(name, entity, source, keys, filter, aggregations, online, offline, ttl,
          freshness, owner, tags, description, null, null, null, null);
    }
  }
}
