package dev.strata.dsl.diag;

import java.util.Comparator;
import java.util.Objects;

/**
 * One mistake in a definition, at a 1-based line and column of a file. Printed as {@code
 * file:line:col: message}.
 */
public record Diagnostic(String file, int line, int column, String message)
    implements Comparable<Diagnostic> {
  private static final Comparator<Diagnostic> ORDER =
      Comparator.comparing(Diagnostic::file)
          .thenComparingInt(Diagnostic::line)
          .thenComparingInt(Diagnostic::column)
          .thenComparing(Diagnostic::message);

  public Diagnostic {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
  }

  public static Diagnostic at(SourcePosition pos, String message) {
    return new Diagnostic(pos.file(), pos.line(), pos.column(), message);
  }

  @Override
  public int compareTo(Diagnostic o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
