package dev.strata.dsl.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.TreeSet;

/** Collects every mistake found, so a user sees all of them at once. */
public final class Diagnostics {
  private final List<Diagnostic> items = new ArrayList<>();

  public void error(SourcePosition pos, String message) {
    items.add(Diagnostic.at(pos, message));
  }

  public void add(Diagnostic d) {
    items.add(d);
  }

  public void addAll(Diagnostics other) {
    items.addAll(other.items);
  }

  public boolean hasErrors() {
    return !items.isEmpty();
  }

  /** Sorted by file, line and column; exact duplicates removed. */
  public List<Diagnostic> sorted() {
    return List.copyOf(new TreeSet<>(items));
  }

  public List<Diagnostic> all() {
    return Collections.unmodifiableList(items);
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder();
    for (Diagnostic d : sorted()) {
      sb.append(d).append('\n');
    }
    return sb.toString();
  }
}
