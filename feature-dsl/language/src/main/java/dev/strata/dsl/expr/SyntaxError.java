package dev.strata.dsl.expr;

/** A syntax mistake; the parser stops at the first one. */
final class SyntaxError extends RuntimeException {
  private final int offset;
  private final int length;

  SyntaxError(int offset, int length, String message) {
    super(message, null, false, false);
    this.offset = offset;
    this.length = length;
  }

  ExpressionError toError() {
    return new ExpressionError(offset, length, getMessage());
  }
}
