package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import java.util.Objects;

/** The text of an expression as written, and where its first character stands. */
public record ExprText(String text, SourcePosition pos) {
  public ExprText {
    Objects.requireNonNull(text, "text");
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
  }

  public static ExprText of(String text) {
    return new ExprText(text, SourcePosition.UNKNOWN);
  }

  /** The position of character {@code offset} of the text (single-line expressions are exact). */
  public SourcePosition at(int offset) {
    if (pos.line() <= 0) {
      return pos;
    }
    int line = pos.line();
    int col = pos.column();
    for (int i = 0; i < Math.min(offset, text.length()); i++) {
      if (text.charAt(i) == '\n') {
        line++;
        col = 1;
      } else {
        col++;
      }
    }
    return new SourcePosition(pos.file(), line, col);
  }

  @Override
  public String toString() {
    return text;
  }
}
