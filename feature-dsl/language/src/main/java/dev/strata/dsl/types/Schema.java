package dev.strata.dsl.types;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** An ordered list of uniquely named fields. Immutable. */
public final class Schema {
  private final List<Field> fields;
  private final Map<String, Integer> indexByName;

  private Schema(List<Field> fields) {
    this.fields = List.copyOf(fields);
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int i = 0; i < this.fields.size(); i++) {
      Field f = this.fields.get(i);
      if (index.put(f.name(), i) != null) {
        throw new IllegalArgumentException("Cannot create schema: duplicate field " + f.name());
      }
    }
    this.indexByName = Collections.unmodifiableMap(index);
  }

  public static Schema of(List<Field> fields) {
    return new Schema(fields);
  }

  public static Schema of(Field... fields) {
    return new Schema(List.of(fields));
  }

  public static Builder builder() {
    return new Builder();
  }

  public List<Field> fields() {
    return fields;
  }

  public int size() {
    return fields.size();
  }

  public Field field(int index) {
    return fields.get(index);
  }

  /** The position of a field, or -1. */
  public int indexOf(String name) {
    Integer i = indexByName.get(name);
    return i == null ? -1 : i;
  }

  public Optional<Field> find(String name) {
    int i = indexOf(name);
    return i < 0 ? Optional.empty() : Optional.of(fields.get(i));
  }

  public List<String> names() {
    return List.copyOf(indexByName.keySet());
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Schema s && s.fields.equals(fields);
  }

  @Override
  public int hashCode() {
    return fields.hashCode();
  }

  @Override
  public String toString() {
    return fields.toString();
  }

  public static final class Builder {
    private final List<Field> fields = new ArrayList<>();

    public Builder add(String name, DataType type) {
      fields.add(new Field(name, type));
      return this;
    }

    public Schema build() {
      return new Schema(fields);
    }
  }
}
