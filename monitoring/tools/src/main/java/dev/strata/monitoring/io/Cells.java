package dev.strata.monitoring.io;

/** What a cell of a data file means as a number or a time. */
final class Cells {
  private Cells() {}

  /**
   * The cell as a finite number, or NaN when it is not one: blank, "NaN", "Infinity", "1d" and
   * other forms {@link Double#parseDouble} takes but a data file does not mean as numbers.
   */
  static double number(String v) {
    String s = v.trim();
    int n = s.length();
    if (n == 0) {
      return Double.NaN;
    }
    char c = s.charAt(0);
    // Double.parseDouble accepts "NaN", "Infinity" and "1d": not numbers in a data file
    if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) {
      return Double.NaN;
    }
    char last = s.charAt(n - 1);
    if (!(Character.isDigit(last) || last == '.')) {
      return Double.NaN;
    }
    double integer = plainInteger(s);
    if (!Double.isNaN(integer)) {
      return integer;
    }
    try {
      double d = Double.parseDouble(s);
      return Double.isFinite(d) ? d : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /**
   * An optionally signed run of at most 18 ASCII digits, or NaN: most cells of a data file, read
   * without {@link Double#parseDouble}'s allocations. The same double: a long below 10^18
   * converts to the nearest double, as parseDouble rounds, and "-0" is −0.0 as there.
   */
  private static double plainInteger(String s) {
    int n = s.length();
    int i = 0;
    boolean negative = false;
    char first = s.charAt(0);
    if (first == '-' || first == '+') {
      negative = first == '-';
      i = 1;
    }
    if (n - i < 1 || n - i > 18) {
      return Double.NaN;
    }
    long value = 0;
    for (; i < n; i++) {
      char ch = s.charAt(i);
      if (ch < '0' || ch > '9') {
        return Double.NaN;
      }
      value = value * 10 + (ch - '0');
    }
    return negative ? -(double) value : (double) value;
  }

  /** As {@link #number(String)} on the text {@code b[from, to)}, without making a String when it is an integer. */
  static double number(char[] b, int from, int to) {
    // String.trim(): every char up to ' ' at either end
    while (from < to && b[from] <= ' ') {
      from++;
    }
    while (to > from && b[to - 1] <= ' ') {
      to--;
    }
    if (from == to) {
      return Double.NaN;
    }
    char c = b[from];
    if (!(Character.isDigit(c) || c == '-' || c == '+' || c == '.')) {
      return Double.NaN;
    }
    char last = b[to - 1];
    if (!(Character.isDigit(last) || last == '.')) {
      return Double.NaN;
    }
    int i = from;
    boolean negative = false;
    if (c == '-' || c == '+') {
      negative = c == '-';
      i++;
    }
    if (to - i >= 1 && to - i <= 18) {
      long value = 0;
      for (; i < to; i++) {
        char ch = b[i];
        if (ch < '0' || ch > '9') {
          break;
        }
        value = value * 10 + (ch - '0');
      }
      if (i == to) {
        return negative ? -(double) value : (double) value;
      }
    }
    try {
      double d = Double.parseDouble(new String(b, from, to - from));
      return Double.isFinite(d) ? d : Double.NaN;
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }
}
