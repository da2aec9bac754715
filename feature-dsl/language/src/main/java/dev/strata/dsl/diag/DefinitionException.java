package dev.strata.dsl.diag;

import java.util.List;

/** Thrown by APIs that cannot return a result because the definitions have mistakes. */
public class DefinitionException extends RuntimeException {
  private final List<Diagnostic> diagnostics;

  public DefinitionException(List<Diagnostic> diagnostics) {
    super(diagnostics.size() + " error(s) in definitions:\n" + format(diagnostics));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  private static String format(List<Diagnostic> diagnostics) {
    StringBuilder sb = new StringBuilder();
    for (Diagnostic d : diagnostics) {
      sb.append(d).append('\n');
    }
    return sb.toString();
  }
}
