package dev.strata.dsl.diag;

import java.util.Collection;
import java.util.Optional;

/** "Did you mean" suggestions by edit distance. */
public final class Suggestions {
  private Suggestions() {}

  /** The candidate closest to {@code word}, if it is close enough to be a likely typo. */
  public static Optional<String> closest(String word, Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = distance(word.toLowerCase(), c.toLowerCase());
      if (d < bestDistance) {
        best = c;
        bestDistance = d;
      }
    }
    // A third of the word's length, at least 1, at most 3 edits: catches typos, not guesses.
    int limit = Math.max(1, Math.min(3, word.length() / 3));
    return best != null && bestDistance <= limit ? Optional.of(best) : Optional.empty();
  }

  /** "; did you mean 'x'?" or, when nothing is close, "; expected one of a, b, c". */
  public static String hint(String word, Collection<String> candidates) {
    Optional<String> c = closest(word, candidates);
    if (c.isPresent()) {
      return "; did you mean '" + c.get() + "'?";
    }
    if (candidates.isEmpty()) {
      return "";
    }
    return "; expected one of " + String.join(", ", candidates);
  }

  /** Optimal string alignment distance (Damerau-Levenshtein with adjacent transpositions). */
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
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
