package dev.strata.dsl.types;

import java.util.Objects;

/** A named, typed column. */
public record Field(String name, DataType type) {
  public Field {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(type, "type");
  }

  @Override
  public String toString() {
    return name + ": " + type.sqlName();
  }
}
