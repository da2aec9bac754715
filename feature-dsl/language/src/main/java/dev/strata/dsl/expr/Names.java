package dev.strata.dsl.expr;

import dev.strata.dsl.diag.Suggestions;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

/** Name helpers: "did you mean" suggestions and quoting of column names. */
final class Names {
  private static final int MAX_LISTED = 20;

  private Names() {}

  /** Suggestions live in one place: {@link Suggestions}. */
  static List<String> suggest(String word, Collection<String> candidates) {
    return Suggestions.suggest(word, candidates);
  }

  /** "; did you mean 'a' or 'b'?" when something is close, otherwise "; {what}: a, b, c". */
  static String hint(String word, Collection<String> candidates, String what) {
    List<String> close = suggest(word, candidates);
    if (!close.isEmpty()) {
      return "; did you mean " + orList(close.stream().map(n -> "'" + n + "'").toList()) + "?";
    }
    if (candidates.isEmpty()) {
      return "; there are no " + what;
    }
    List<String> listed = candidates.stream().limit(MAX_LISTED).toList();
    String more = candidates.size() > MAX_LISTED ? " and " + (candidates.size() - MAX_LISTED) + " more" : "";
    return "; " + what + ": " + String.join(", ", listed) + more;
  }

  static String orList(List<String> items) {
    return Suggestions.orList(items);
  }

  /**
   * A column name as SQL: bare when every dotted part is an identifier and the first is not a
   * reserved word (later parts may be, the parser accepts any word after a dot), otherwise in
   * backquotes with backquotes doubled.
   */
  static String quoteColumn(String name) {
    String[] parts = name.split("\\.", -1);
    boolean plain = true;
    for (String part : parts) {
      plain &= isIdentifier(part);
    }
    plain &= !Lexer.KEYWORDS.contains(parts[0].toUpperCase(Locale.ROOT));
    return plain ? name : "`" + name.replace("`", "``") + "`";
  }

  private static boolean isIdentifier(String s) {
    if (s.isEmpty() || !Lexer.isIdentStart(s.charAt(0))) {
      return false;
    }
    for (int i = 1; i < s.length(); i++) {
      if (!Lexer.isIdentPart(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
