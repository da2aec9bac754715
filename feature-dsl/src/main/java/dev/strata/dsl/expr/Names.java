package dev.strata.dsl.expr;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** Name helpers: "did you mean" suggestions and quoting of column names. */
final class Names {
  private static final int MAX_SUGGESTIONS = 3;
  private static final int MAX_LISTED = 20;

  private Names() {}

  /**
   * The candidates within a typo's distance of {@code word}, closest first. The distance is
   * Damerau-Levenshtein (optimal string alignment) ignoring case, so 'dealy' finds 'delay' and
   * 'Delay' finds 'delay'.
   */
  static List<String> suggest(String word, Collection<String> candidates) {
    // Short words allow one edit; longer words about one edit in three.
    int limit = Math.max(1, Math.min(3, word.length() / 3));
    String w = word.toLowerCase(Locale.ROOT);
    List<String> close = new ArrayList<>();
    List<Integer> distances = new ArrayList<>();
    for (String c : candidates) {
      int d = distance(w, c.toLowerCase(Locale.ROOT));
      if (d <= limit) {
        close.add(c);
        distances.add(d);
      }
    }
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < close.size(); i++) {
      order.add(i);
    }
    order.sort(Comparator.comparing((Integer i) -> distances.get(i)).thenComparing(close::get));
    return order.stream().limit(MAX_SUGGESTIONS).map(close::get).toList();
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

  /** "a", "a or b", "a, b or c". */
  static String orList(List<String> items) {
    if (items.size() == 1) {
      return items.get(0);
    }
    return String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.get(items.size() - 1);
  }

  /** Optimal string alignment distance: Levenshtein plus swaps of adjacent characters. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          best = Math.min(best, d[i - 2][j - 2] + 1);
        }
        d[i][j] = best;
      }
    }
    return d[a.length()][b.length()];
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
