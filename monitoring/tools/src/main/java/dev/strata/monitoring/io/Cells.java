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
}
