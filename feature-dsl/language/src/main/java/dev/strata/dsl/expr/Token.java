package dev.strata.dsl.expr;

/**
 * A token of expression text.
 *
 * @param text the text as written
 * @param value the meaning: a name (unquoted), string contents, keyword in upper case, or the
 *     operator
 */
record Token(Token.Kind kind, String text, String value, int start, int end) {
  enum Kind {
    IDENT,
    QUOTED_IDENT,
    KEYWORD,
    INTEGER,
    DECIMAL,
    STRING,
    OPERATOR,
    LPAREN,
    RPAREN,
    COMMA,
    DOT,
    EOF
  }

  boolean is(Kind k) {
    return kind == k;
  }

  boolean isKeyword(String keyword) {
    return kind == Kind.KEYWORD && value.equals(keyword);
  }

  boolean isOperator(String op) {
    return kind == Kind.OPERATOR && value.equals(op);
  }

  /** An identifier spelled {@code word} in any case (for words that are not reserved, e.g. CAST). */
  boolean isWord(String word) {
    return kind == Kind.IDENT && text.equalsIgnoreCase(word);
  }

  /** How the token is named in an error message. */
  String describe() {
    switch (kind) {
      case EOF:
        return "end of input";
      case STRING:
        return "string " + text;
      default:
        return "'" + text + "'";
    }
  }

  int length() {
    return end - start;
  }
}
