package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import java.util.ArrayList;
import java.util.List;

/** A thing features describe, identified by one or more typed keys (in order). */
public record Entity(String name, List<Field> keys, String description, SourcePosition pos) {
  public Entity {
    keys = List.copyOf(keys);
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public static final class Builder {
    private final String name;
    private final List<Field> keys = new ArrayList<>();
    private String description;

    private Builder(String name) {
      this.name = name;
    }

    public Builder key(String keyName, DataType type) {
      keys.add(new Field(keyName, type));
      return this;
    }

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public Entity build() {
      return new Entity(name, keys, description, SourcePosition.UNKNOWN);
    }
  }
}
