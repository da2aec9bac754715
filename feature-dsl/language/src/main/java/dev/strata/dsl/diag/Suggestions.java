package dev.strata.dsl.diag;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** "Did you mean" suggestions by edit distance, for every message that names an unknown name. */
public final class Suggestions {
  private static final int MAX_SUGGESTIONS = 3;

  private Suggestions() {}

  /**
   * The candidates within a typo's distance of {@code word}, closest first (then by name), at
   * most three. The distance is optimal string alignment ignoring case, so 'dealy' finds
   * 'delay' and 'Delay' finds 'delay'.
   */
  public static List<String> suggest(String word, Collection<String> candidates) {
    // Short words allow one edit; longer words about one edit in three, at most three.
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

  /** The closest candidate, if one is close enough to be a likely typo. */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    return suggest(word, candidates).stream().findFirst();
  }

  /** "; did you mean 'x'?" (or 'x' or 'y'), or, when nothing is close, "; expected one of a, b, c". */
  public static String hint(String word, Collection<String> candidates) {
    List<String> close = suggest(word, candidates);
    if (!close.isEmpty()) {
      return "; did you mean " + orList(close.stream().map(n -> "'" + n + "'").toList()) + "?";
    }
    if (candidates.isEmpty()) {
      return "";
    }
    return "; expected one of " + String.join(", ", candidates);
  }

  /** "a", "a or b", "a, b or c". */
  public static String orList(List<String> items) {
    if (items.size() == 1) {
      return items.get(0);
    }
    return String.join(", ", items.subList(0, items.size() - 1)) + " or " + items.get(items.size() - 1);
  }

  /** Optimal string alignment distance: Levenshtein plus swaps of adjacent characters. */
  public static int distance(String a, String b) {
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
}
