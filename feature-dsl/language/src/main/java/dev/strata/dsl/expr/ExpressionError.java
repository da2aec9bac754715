package dev.strata.dsl.expr;

import java.util.Objects;

/**
 * A mistake in expression text.
 *
 * @param offset 0-based index of the offending text's first character
 * @param length how many characters it spans (0 at the end of input)
 * @param message one sentence saying what was expected
 */
public record ExpressionError(int offset, int length, String message) {
  public ExpressionError {
    Objects.requireNonNull(message, "message");
  }

  /** The 1-based line of {@link #offset()} in {@code text}. */
  public int line(String text) {
    int line = 1;
    for (int i = 0; i < Math.min(offset, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
      }
    }
    return line;
  }

  /** The 1-based column of {@link #offset()} in {@code text}. */
  public int column(String text) {
    int lineStart = text.lastIndexOf('\n', Math.min(offset, text.length()) - 1) + 1;
    return offset - lineStart + 1;
  }

  @Override
  public String toString() {
    return offset + ": " + message;
  }
}
