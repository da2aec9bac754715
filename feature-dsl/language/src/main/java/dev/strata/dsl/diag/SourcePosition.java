package dev.strata.dsl.diag;

/** A 1-based line and column in a definition file. */
public record SourcePosition(String file, int line, int column) {
  /** For definitions made with the Java builder API rather than YAML. */
  public static final SourcePosition UNKNOWN = new SourcePosition("<builder>", 0, 0);

  /** The position {@code n} characters further on the same line. */
  public SourcePosition plusColumns(int n) {
    return new SourcePosition(file, line, column + n);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column;
  }
}
