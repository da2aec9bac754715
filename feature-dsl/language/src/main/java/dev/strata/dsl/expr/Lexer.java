package dev.strata.dsl.expr;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** Splits expression text into tokens. */
final class Lexer {
  /** Reserved words; other words such as CAST or TIMESTAMP are only special before '(' or a string. */
  static final Set<String> KEYWORDS =
      Set.of(
          "AND", "OR", "NOT", "IS", "NULL", "IN", "BETWEEN", "LIKE", "CASE", "WHEN", "THEN", "ELSE",
          "END", "TRUE", "FALSE", "AS");

  private final String text;
  private int pos = 0;

  private Lexer(String text) {
    this.text = text;
  }

  static List<Token> tokenize(String text) {
    Lexer lexer = new Lexer(text);
    List<Token> tokens = new ArrayList<>();
    Token t;
    do {
      t = lexer.next();
      tokens.add(t);
    } while (!t.is(Token.Kind.EOF));
    return tokens;
  }

  static boolean isIdentStart(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
  }

  static boolean isIdentPart(char c) {
    return isIdentStart(c) || isDigit(c);
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private Token next() {
    while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
      pos++;
    }
    int start = pos;
    if (pos >= text.length()) {
      return new Token(Token.Kind.EOF, "", "", start, start);
    }
    char c = text.charAt(pos);
    if (isIdentStart(c)) {
      while (pos < text.length() && isIdentPart(text.charAt(pos))) {
        pos++;
      }
      String word = text.substring(start, pos);
      String upper = word.toUpperCase(Locale.ROOT);
      return KEYWORDS.contains(upper)
          ? new Token(Token.Kind.KEYWORD, word, upper, start, pos)
          : new Token(Token.Kind.IDENT, word, word, start, pos);
    }
    if (isDigit(c) || (c == '.' && pos + 1 < text.length() && isDigit(text.charAt(pos + 1)))) {
      return number(start);
    }
    switch (c) {
      case '\'':
        return quoted(start, '\'', Token.Kind.STRING, "string literal");
      case '`':
        return quoted(start, '`', Token.Kind.QUOTED_IDENT, "quoted name");
      case '(':
        return single(Token.Kind.LPAREN, start);
      case ')':
        return single(Token.Kind.RPAREN, start);
      case ',':
        return single(Token.Kind.COMMA, start);
      case '.':
        return single(Token.Kind.DOT, start);
      case '+': case '-': case '*': case '/': case '%':
        return operator(start, 1, String.valueOf(c));
      case '=':
        return peek(1) == '=' ? operator(start, 2, "=") : operator(start, 1, "=");
      case '!':
        if (peek(1) == '=') {
          return operator(start, 2, "<>");
        }
        throw new SyntaxError(start, 1, "unexpected character '!'; use NOT or '!='");
      case '<':
        if (peek(1) == '=') {
          return operator(start, 2, "<=");
        } else if (peek(1) == '>') {
          return operator(start, 2, "<>");
        }
        return operator(start, 1, "<");
      case '>':
        return peek(1) == '=' ? operator(start, 2, ">=") : operator(start, 1, ">");
      case '|':
        if (peek(1) == '|') {
          return operator(start, 2, "||");
        }
        throw new SyntaxError(start, 1, "unexpected character '|'; use OR or '||' to concatenate");
      case '&':
        throw new SyntaxError(start, 1, "unexpected character '&'; use AND");
      case '"':
        throw new SyntaxError(
            start, 1, "unexpected character '\"'; write strings in single quotes and names in backquotes");
      default:
        int cp = text.codePointAt(pos);
        throw new SyntaxError(
            start, Character.charCount(cp), "unexpected character '" + new String(Character.toChars(cp)) + "'");
    }
  }

  private char peek(int ahead) {
    int i = pos + ahead;
    return i < text.length() ? text.charAt(i) : '\0';
  }

  private Token single(Token.Kind kind, int start) {
    pos++;
    return new Token(kind, text.substring(start, pos), text.substring(start, pos), start, pos);
  }

  private Token operator(int start, int length, String op) {
    pos += length;
    return new Token(Token.Kind.OPERATOR, text.substring(start, pos), op, start, pos);
  }

  private Token number(int start) {
    boolean decimal = false;
    while (pos < text.length() && isDigit(text.charAt(pos))) {
      pos++;
    }
    if (pos < text.length() && text.charAt(pos) == '.') {
      decimal = true;
      pos++;
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
    }
    if (pos < text.length() && (text.charAt(pos) == 'e' || text.charAt(pos) == 'E')) {
      decimal = true;
      pos++;
      if (pos < text.length() && (text.charAt(pos) == '+' || text.charAt(pos) == '-')) {
        pos++;
      }
      int digits = pos;
      while (pos < text.length() && isDigit(text.charAt(pos))) {
        pos++;
      }
      if (pos == digits) {
        throw malformed(start);
      }
    }
    // "1h" or "2x": a unit or name glued to a number is a mistake, not two tokens.
    if (pos < text.length() && (isIdentPart(text.charAt(pos)) || text.charAt(pos) == '.')) {
      throw malformed(start);
    }
    String t = text.substring(start, pos);
    return new Token(decimal ? Token.Kind.DECIMAL : Token.Kind.INTEGER, t, t, start, pos);
  }

  private SyntaxError malformed(int start) {
    int end = pos;
    while (end < text.length() && (isIdentPart(text.charAt(end)) || text.charAt(end) == '.')) {
      end++;
    }
    return new SyntaxError(
        start, end - start, "malformed number '" + text.substring(start, end) + "'; expected digits such as 15 or 1.5e3");
  }

  /** A string or quoted name; the quote character is escaped by doubling it. */
  private Token quoted(int start, char quote, Token.Kind kind, String what) {
    StringBuilder value = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= text.length()) {
        throw new SyntaxError(
            start, text.length() - start, "unterminated " + what + "; expected a closing " + quote);
      }
      char c = text.charAt(pos);
      if (c == quote) {
        if (peek(1) == quote) {
          value.append(quote);
          pos += 2;
          continue;
        }
        pos++;
        break;
      }
      value.append(c);
      pos++;
    }
    if (kind == Token.Kind.QUOTED_IDENT && value.length() == 0) {
      throw new SyntaxError(start, pos - start, "empty quoted name; expected a column name between backquotes");
    }
    return new Token(kind, text.substring(start, pos), value.toString(), start, pos);
  }
}
