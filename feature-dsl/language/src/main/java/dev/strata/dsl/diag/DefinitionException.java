package dev.strata.dsl.diag;

import dev.strata.dsl.error.StrataFailure;
import java.util.List;

/** Thrown by APIs that cannot return a result because the definitions have mistakes ({@link StrataFailure.Kind#DEFINITION}). */
public class DefinitionException extends RuntimeException implements StrataFailure {
  private final List<Diagnostic> diagnostics;

  public DefinitionException(List<Diagnostic> diagnostics) {
    super(diagnostics.size() + " error(s) in definitions:\n" + format(diagnostics));
    this.diagnostics = List.copyOf(diagnostics);
  }

  public List<Diagnostic> diagnostics() {
    return diagnostics;
  }

  @Override
  public Kind kind() {
    return Kind.DEFINITION;
  }

  private static String format(List<Diagnostic> diagnostics) {
    StringBuilder sb = new StringBuilder();
    for (Diagnostic d : diagnostics) {
      sb.append(d).append('\n');
    }
    return sb.toString();
  }
}
