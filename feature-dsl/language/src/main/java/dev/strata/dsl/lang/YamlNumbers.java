package dev.strata.dsl.lang;

/**
 * Numbers as YAML writes them (the JSON schema SnakeYAML Engine resolves by default, plus what
 * an explicit {@code !!int} or {@code !!float} tag may hold): null for text that is not one.
 */
final class YamlNumbers {
  private YamlNumbers() {}

  /** A decimal integer that fits a long, or null. */
  static Long parseLong(String text) {
    String t = text.trim();
    if (!t.matches("[-+]?[0-9]{1,30}")) {
      return null;
    }
    try {
      return Long.parseLong(t.startsWith("+") ? t.substring(1) : t);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /** A double, including {@code .inf}, {@code -.inf} and {@code .nan}; null for other text. */
  static Double parseDouble(String text) {
    String t = text.trim();
    switch (t.toLowerCase(java.util.Locale.ROOT)) {
      case ".inf", "+.inf":
        return Double.POSITIVE_INFINITY;
      case "-.inf":
        return Double.NEGATIVE_INFINITY;
      case ".nan":
        return Double.NaN;
      default:
        break;
    }
    if (!t.matches("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?")) {
      return null;
    }
    return Double.valueOf(t);
  }
}
