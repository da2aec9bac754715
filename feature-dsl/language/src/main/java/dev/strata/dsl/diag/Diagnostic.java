package dev.strata.dsl.diag;

import java.util.Comparator;
import java.util.Locale;
import java.util.Objects;

/**
 * One mistake in a definition, at a 1-based line and column of a file. Printed as {@code
 * file:line:col: message}.
 */
public record Diagnostic(String file, int line, int column, String message)
    implements Comparable<Diagnostic> {
  private static final Comparator<Diagnostic> ORDER =
      Comparator.comparing(Diagnostic::file)
          .thenComparingInt(Diagnostic::line)
          .thenComparingInt(Diagnostic::column)
          .thenComparing(Diagnostic::message);

  /** Longest message kept: a value quoted in a message may be any size. */
  static final int MAX_MESSAGE_LENGTH = 1_000;

  /** Control characters (line breaks included) in the file name and message are escaped, so a diagnostic is one line. */
  public Diagnostic {
    Objects.requireNonNull(file, "file");
    Objects.requireNonNull(message, "message");
    file = oneLine(file);
    message = oneLine(message);
    if (message.length() > MAX_MESSAGE_LENGTH) {
      message = message.substring(0, MAX_MESSAGE_LENGTH) + "...";
    }
  }

  private static String oneLine(String s) {
    StringBuilder sb = null;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      boolean escape = Character.isISOControl(c) || c == 0x2028 || c == 0x2029;
      if (escape && sb == null) {
        sb = new StringBuilder(s.substring(0, i));
      }
      if (sb != null) {
        sb.append(escape ? String.format(Locale.ROOT, "\\u%04X", (int) c) : String.valueOf(c));
      }
    }
    return sb == null ? s : sb.toString();
  }

  public static Diagnostic at(SourcePosition pos, String message) {
    return new Diagnostic(pos.file(), pos.line(), pos.column(), message);
  }

  @Override
  public int compareTo(Diagnostic o) {
    return ORDER.compare(this, o);
  }

  @Override
  public String toString() {
    return file + ":" + line + ":" + column + ": " + message;
  }
}
