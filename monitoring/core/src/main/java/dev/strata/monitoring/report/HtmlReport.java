package dev.strata.monitoring.report;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A single-file HTML report that opens offline: no CDN, no external file. The report's JSON
 * is embedded and an inline script draws the table and SVG plots from it, so the page and
 * {@link DriftJson} can never disagree. The root element gets {@code data-rendered="ok"} when
 * the script finished, and {@code data-error} if any script error occurred.
 */
public final class HtmlReport {
  private static final String TEMPLATE = load();

  private HtmlReport() {}

  public static String render(DriftReport report) {
    // "<" only occurs inside JSON strings, where \u003c means the same: "</script>" cannot end the block
    String json = DriftJson.toJson(report).replace("<", "\\u003c")
        .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029");
    return TEMPLATE.replace("{{TITLE}}", escape(report.title())).replace("/*DRIFT_DATA*/", json);
  }

  public static void write(DriftReport report, Path file) throws IOException {
    Files.writeString(file, render(report), StandardCharsets.UTF_8);
  }

  private static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String load() {
    try (InputStream in = HtmlReport.class.getResourceAsStream("report.html")) {
      if (in == null) {
        throw new IllegalStateException("Cannot render reports: report.html is missing from the jar");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
