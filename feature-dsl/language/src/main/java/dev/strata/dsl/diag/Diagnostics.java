package dev.strata.dsl.diag;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * Collects every mistake found, so a user sees all of them at once.
 *
 * <p>It also carries the names whose definition had a mistake ("poisoned" names, as compilers
 * call them), from the loader to the compiler: a later stage that meets a reference to a
 * poisoned name skips it instead of reporting it as unknown, so one typo yields one error.
 */
public final class Diagnostics {
  private final List<Diagnostic> items = new ArrayList<>();
  private final Set<String> poisoned = new HashSet<>();

  public void error(SourcePosition pos, String message) {
    items.add(Diagnostic.at(pos, message));
  }

  public void add(Diagnostic d) {
    items.add(d);
  }

  public void addAll(Diagnostics other) {
    items.addAll(other.items);
    poisoned.addAll(other.poisoned);
  }

  /**
   * Records that the definition of {@code name} (of {@code kind}, e.g. "feature group") had a
   * mistake, already reported: references to it are not to be reported again.
   */
  public void poison(String kind, String name) {
    poisoned.add(kind + ":" + name);
  }

  /** Whether {@link #poison} was called for this kind and name. */
  public boolean isPoisoned(String kind, String name) {
    return poisoned.contains(kind + ":" + name);
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
