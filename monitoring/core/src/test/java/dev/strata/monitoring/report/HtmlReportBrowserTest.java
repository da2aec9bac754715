package dev.strata.monitoring.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Renders the report in real headless Chromium (Debian package {@code chromium}): the script
 * runs without errors, the table, histograms and the drift-over-time chart are drawn, and the
 * numbers on the page are the JSON's.
 */
class HtmlReportBrowserTest {
  @TempDir static Path dir;
  static Path html;
  static DriftReport report;

  @BeforeAll
  static void render() throws IOException {
    report = FlightsReportFixture.report();
    html = dir.resolve("report.html");
    HtmlReport.write(report, html);
  }

  @Test
  void rendersWithoutErrorsAndShowsTheJsonNumbers() throws Exception {
    Browser.Run run = Browser.run(dir, "--dump-dom", html.toUri().toString());
    String dom = run.stdout();
    assertThat(dom).as("dumped DOM; stderr:\n" + run.stderr()).contains("data-rendered=\"ok\"");
    assertThat(dom).doesNotContain("data-error=");
    assertThat(run.consoleErrors()).as("console errors").isEmpty();

    JsonNode json = new ObjectMapper().readTree(DriftJson.toJson(report));
    Map<String, Map<String, String[]>> cells = cells(dom);
    assertThat(cells.keySet()).containsExactly("delay", "distance", "origin", "destination");
    int checked = 0;
    for (JsonNode f : json.get("features")) {
      Map<String, String[]> row = cells.get(f.get("feature").asText());
      for (var m : f.get("metrics").properties()) {
        String[] cell = row.get(m.getKey());
        if (cell == null) {
          // null-rate change is in the JSON, the table shows both rates; one of out_of_range/unseen
          assertThat(m.getKey()).isIn("null_rate_change");
          continue;
        }
        if (m.getValue().isNull()) {
          assertThat(cell[0]).isNull();
          continue;
        }
        double expected = m.getValue().asDouble();
        // the cell carries the exact value and shows it to 4 significant digits
        assertThat(Double.parseDouble(cell[0])).as(m.getKey()).isEqualTo(expected);
        boolean percent = cell[1].endsWith("%");
        double shown = percent ? Double.parseDouble(cell[1].replace("%", "")) / 100 : Double.parseDouble(cell[1]);
        assertThat(shown).as(m.getKey() + " shown").isCloseTo(expected,
            org.assertj.core.data.Offset.offset(percent ? 0.0005 : Math.abs(expected) * 5e-4 + 1e-300));
        checked++;
      }
      assertThat(dom).contains("data-histogram=\"" + f.get("feature").asText() + "\"");
    }
    assertThat(checked).isGreaterThanOrEqualTo(30);
    // statuses and the drift-over-time chart
    for (JsonNode f : json.get("features")) {
      assertThat(dom).contains("<tr data-feature=\"" + f.get("feature").asText() + "\">");
    }
    assertThat(count(dom, "<rect ")).isGreaterThan(60);
    assertThat(dom).contains("data-chart=\"psi\"");
    assertThat(count(dom, "<circle ")).isEqualTo(4 * report.timeline().size());
  }

  /** Odd features must not break the script: no values, constant reference, sketch mode, drift. */
  @Test
  void edgeCasesRenderWithoutErrors() throws Exception {
    dev.strata.monitoring.drift.ExactDrift d = dev.strata.monitoring.drift.ExactDrift.withDefaults();
    java.util.Random r = new java.util.Random(2);
    double[] shifted = r.doubles(5_000).map(x -> x * 3 + 1).toArray();
    var b1 = dev.strata.monitoring.profile.ColumnProfile.numeric("sketched");
    var b2 = dev.strata.monitoring.profile.ColumnProfile.numeric("sketched");
    r.doubles(20_000).forEach(b1::add);
    r.doubles(20_000).forEach(x -> b2.add(x * 1.2));
    List<dev.strata.monitoring.drift.FeatureDrift> features = List.of(
        d.numeric("all_null", new double[] {Double.NaN, Double.NaN}, new double[] {1, 2}),
        d.numeric("constant", new double[] {4, 4, 4}, new double[] {4, 5}),
        d.numeric("shifted", r.doubles(5_000).toArray(), shifted),
        d.categorical("<script>alert(1)</script>", new String[] {"a", "b", null}, new String[] {"c", "</script>"}),
        dev.strata.monitoring.drift.SketchDrift.withDefaults().between(b1.build(), b2.build()));
    DriftReport odd = new DriftReport("Edge \"cases\" & <tags>", "ref", "cur", features,
        List.of(new DriftReport.Slice("only", features)), dev.strata.monitoring.drift.Thresholds.defaults(), "now");
    Path page = dir.resolve("odd.html");
    HtmlReport.write(odd, page);
    Browser.Run run = Browser.run(dir, "--dump-dom", page.toUri().toString());
    assertThat(run.stdout()).as(run.stderr()).contains("data-rendered=\"ok\"").doesNotContain("data-error=");
    assertThat(run.consoleErrors()).isEmpty();
    // names are text, never markup; a statuses of every kind show
    assertThat(run.stdout()).contains("&lt;script&gt;alert(1)&lt;/script&gt;")
        .contains("data-status=\"drift\"").contains("(sketch)");
  }

  @Test
  void screenshotIsDrawn() throws Exception {
    Path png = dir.resolve("report.png");
    Browser.Run run = Browser.run(dir, "--screenshot=" + png, "--window-size=1400,2200", html.toUri().toString());
    assertThat(png).as(run.stderr()).exists();
    // a blank page compresses to a few kilobytes; the report has text, bars and lines
    assertThat(Files.size(png)).isGreaterThan(40_000);
    String keep = System.getProperty("strata.report.screenshot");
    if (keep != null) {
      Files.copy(png, Path.of(keep), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      Files.copy(html, Path.of(keep.replace(".png", ".html")), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static int count(String s, String part) {
    int n = 0;
    for (int i = s.indexOf(part); i >= 0; i = s.indexOf(part, i + 1)) {
      n++;
    }
    return n;
  }

  /** feature → metric → {data-value, shown text}. */
  private static Map<String, Map<String, String[]>> cells(String dom) {
    Map<String, Map<String, String[]>> out = new java.util.LinkedHashMap<>();
    Matcher rows = Pattern.compile("<tr data-feature=\"([^\"]+)\">(.*?)</tr>", Pattern.DOTALL).matcher(dom);
    Pattern td = Pattern.compile("<(?:td|span) data-metric=\"(\\w+)\"([^>]*)>([^<]*)</(?:td|span)>");
    Pattern value = Pattern.compile("data-value=\"([^\"]+)\"");
    while (rows.find()) {
      Map<String, String[]> row = new HashMap<>();
      Matcher m = td.matcher(rows.group(2));
      while (m.find()) {
        Matcher v = value.matcher(m.group(2));
        row.put(m.group(1), new String[] {v.find() ? v.group(1) : null, m.group(3)});
      }
      out.put(rows.group(1), row);
    }
    return out;
  }

  /** Headless Chromium, one fresh profile per run; fails the test when it is not installed. */
  static final class Browser {
    record Run(String stdout, String stderr) {
      List<String> consoleErrors() {
        List<String> errors = new ArrayList<>();
        for (String line : stderr.split("\n")) {
          if (line.contains("CONSOLE") || line.contains("Uncaught")) {
            errors.add(line);
          }
        }
        return errors;
      }
    }

    static Run run(Path work, String... args) throws IOException, InterruptedException {
      String exe = executable();
      Path profile = Files.createTempDirectory(work, "chromium-profile");
      List<String> cmd = new ArrayList<>(List.of(exe, "--headless", "--no-sandbox", "--disable-gpu",
          "--disable-background-networking", "--no-first-run", "--user-data-dir=" + profile,
          "--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"));
      cmd.addAll(List.of(args));
      Path out = work.resolve("chromium-" + System.nanoTime() + ".out");
      Path err = work.resolve("chromium-" + System.nanoTime() + ".err");
      Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("Chromium did not finish in 90 s: " + cmd);
      }
      return new Run(Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    private static String executable() {
      for (String name : List.of("chromium", "chromium-browser")) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
          File f = new File(d, name);
          if (f.canExecute()) {
            return f.getPath();
          }
        }
      }
      fail("Cannot run the browser check: 'chromium' is not on PATH. Install Debian's package: "
          + "apt-get install -y chromium");
      return null;
    }
  }

  @Test
  void skewTableShowsTheJsonCounts(@TempDir Path skewDir) throws Exception {
    dev.strata.monitoring.skew.FeatureSkew.Counter a = new dev.strata.monitoring.skew.FeatureSkew.Counter("g.a",
        dev.strata.monitoring.skew.SkewComparison.withDefaults());
    a.compare(1L, 1L, "r1", "{\"airport\":\"ORD\"}", 979948800000000L);
    a.compare(2L, 3L, "r2", "{\"airport\":\"<BOS>\"}", 979948800000000L);
    dev.strata.monitoring.skew.FeatureSkew.Counter b = new dev.strata.monitoring.skew.FeatureSkew.Counter("g.b",
        dev.strata.monitoring.skew.SkewComparison.withDefaults());
    b.compare(0.5, 0.5, "r1", "{}", 0);
    b.notServed();
    DriftReport withSkew = report.withSkew(new DriftReport.Skew("svc", "2001-01-20", 1e-9, List.of(a.build(), b.build())));
    Path page = skewDir.resolve("skew.html");
    HtmlReport.write(withSkew, page);
    Browser.Run run = Browser.run(skewDir, "--dump-dom", page.toUri().toString());
    String dom = run.stdout();
    assertThat(dom).as("stderr:\n" + run.stderr()).contains("data-rendered=\"ok\"");
    assertThat(dom).doesNotContain("data-error=");
    assertThat(run.consoleErrors()).isEmpty();
    assertThat(dom).contains("data-skew-feature=\"g.a\"").contains("data-skew-feature=\"g.b\"");
    assertThat(dom).containsPattern("data-skew-feature=\"g.a\".*?data-mismatches=\"1\"");
    assertThat(dom).containsPattern("data-skew-feature=\"g.b\".*?data-mismatches=\"0\"");
    // the example's text is escaped, not markup
    assertThat(dom).contains("&lt;BOS&gt;");
    JsonNode json = new ObjectMapper().readTree(DriftJson.toJson(withSkew));
    assertThat(json.get("skew").get("mismatches").asLong()).isEqualTo(1);
    assertThat(json.get("skew").get("features").get(0).get("examples").get(0).get("served").asText()).isEqualTo("2");
  }

  @Test
  void performanceTableShowsTheJsonValues(@TempDir Path dir) throws Exception {
    dev.strata.monitoring.performance.ModelPerformance performance = dev.strata.monitoring.performance.ModelPerformance.compare(
        "delay_model",
        dev.strata.monitoring.performance.ModelPerformance.numeric(new double[] {0.2, 0.8, 0.6}, new double[] {0, 1, 1}), 3,
        dev.strata.monitoring.performance.ModelPerformance.numeric(new double[] {0.7, 0.4}, new double[] {0, 1}), 2);
    DriftReport withPerformance = report.withPerformance(performance);
    Path page = dir.resolve("performance.html");
    HtmlReport.write(withPerformance, page);
    Browser.Run run = Browser.run(dir, "--dump-dom", page.toUri().toString());
    String dom = run.stdout();
    assertThat(dom).as("stderr:\n" + run.stderr()).contains("data-rendered=\"ok\"");
    assertThat(dom).doesNotContain("data-error=");
    assertThat(run.consoleErrors()).isEmpty();
    JsonNode json = new ObjectMapper().readTree(DriftJson.toJson(withPerformance));
    JsonNode metrics = json.get("performance").get("metrics");
    assertThat(metrics).hasSize(4);
    for (JsonNode m : metrics) {
      // each row of the page carries exactly the JSON's numbers
      java.util.regex.Matcher row = java.util.regex.Pattern.compile("data-performance-metric=\"" + m.get("metric").asText()
          + "\"[^>]*>.*?data-value=\"([^\"]*)\".*?data-value=\"([^\"]*)\"").matcher(dom);
      assertThat(row.find()).as(m.get("metric").asText()).isTrue();
      assertThat(Double.parseDouble(row.group(1))).isEqualTo(m.get("reference").asDouble());
      assertThat(Double.parseDouble(row.group(2))).isEqualTo(m.get("current").asDouble());
    }
    // accuracy fell from 1 to 0: the change is marked
    assertThat(json.get("performance").get("metrics").get(3).get("change").asDouble()).isEqualTo(-1.0);
    assertThat(dom).containsPattern("data-performance-metric=\"accuracy\".*?class=\"hot\"");
  }
}
