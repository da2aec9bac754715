package dev.strata.monitoring.alert;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.strata.monitoring.drift.FeatureDrift;
import dev.strata.monitoring.report.DriftReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The gauges parse as the Prometheus text format (a strict reading of the 0.0.4 grammar, here
 * independently of the writer) and carry exactly the report's values.
 */
class PrometheusGaugesTest {
  private static final Pattern SAMPLE = Pattern.compile(
      "([a-zA-Z_:][a-zA-Z0-9_:]*)\\{((?:[a-zA-Z_][a-zA-Z0-9_]*=\"(?:[^\"\\\\\\n]|\\\\[\\\\\"n])*\",?)*)\\} (\\S+)(?: -?\\d+)?");
  private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\\\n]|\\\\[\\\\\"n])*)\"");
  private static final Pattern COMMENT = Pattern.compile("# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) .*");

  record Sample(String name, Map<String, String> labels, double value) {}

  /** Every sample; fails on any line that is neither a sample, a HELP/TYPE comment nor blank. */
  static List<Sample> parse(String text) {
    Map<String, String> types = new HashMap<>();
    List<Sample> out = new java.util.ArrayList<>();
    for (String line : text.split("\n")) {
      if (line.isEmpty()) {
        continue;
      }
      Matcher c = COMMENT.matcher(line);
      if (c.matches()) {
        if (c.group(1).equals("TYPE")) {
          types.put(c.group(2), line.substring(line.lastIndexOf(' ') + 1));
        }
        continue;
      }
      Matcher m = SAMPLE.matcher(line);
      assertThat(m.matches()).as("not a sample line: %s", line).isTrue();
      assertThat(types.get(m.group(1))).as("TYPE of %s", m.group(1)).isEqualTo("gauge");
      Map<String, String> labels = new LinkedHashMap<>();
      Matcher l = LABEL.matcher(m.group(2));
      while (l.find()) {
        labels.put(l.group(1), l.group(2));
      }
      String v = m.group(3);
      out.add(new Sample(m.group(1), labels, v.equals("NaN") ? Double.NaN : v.equals("+Inf") ? Double.POSITIVE_INFINITY
          : v.equals("-Inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(v)));
    }
    return out;
  }

  @Test
  void gaugesEqualTheDriftResults() {
    DriftReport report = AlertFixtures.report(true);
    List<Sample> samples = parse(PrometheusGauges.scrape("m", report));
    int values = 0;
    for (FeatureDrift f : report.features()) {
      for (Map.Entry<String, Double> e : f.metrics().entrySet()) {
        List<Sample> s = samples.stream().filter(x -> x.name().equals("strata_drift_value")
            && x.labels().equals(Map.of("monitor", "m", "feature", f.feature(), "metric", e.getKey()))).toList();
        if (Double.isNaN(e.getValue())) {
          assertThat(s).as("%s %s", f.feature(), e.getKey()).isEmpty();
        } else {
          assertThat(s).as("%s %s", f.feature(), e.getKey()).hasSize(1);
          // the format prints doubles in full: the values round-trip exactly
          assertThat(s.get(0).value()).isEqualTo(e.getValue());
          values++;
        }
      }
      List<Sample> status = samples.stream().filter(x -> x.name().equals("strata_drift_status")
          && x.labels().equals(Map.of("monitor", "m", "feature", f.feature()))).toList();
      assertThat(status).hasSize(1);
      assertThat(status.get(0).value()).isEqualTo(f.status().ordinal());
    }
    assertThat(samples.stream().filter(x -> x.name().equals("strata_drift_status")).map(Sample::value).toList())
        .contains(2.0).contains(0.0);
    Sample share = samples.stream().filter(x -> x.name().equals("strata_skew_mismatch_share")).findFirst().orElseThrow();
    assertThat(share.value()).isEqualTo(0.5);
    assertThat(samples).hasSize(values + report.features().size() + 2);
  }

  @Test
  void modelPerformanceOfTheCurrentSliceIsAGauge() {
    // current slice: errors 0.25 and -0.5 against labels 0 and 1: mae 0.375, bias -0.125, both right at 0.5
    dev.strata.monitoring.performance.ModelPerformance performance = dev.strata.monitoring.performance.ModelPerformance
        .compare("scores", java.util.Map.of(), 0,
            dev.strata.monitoring.performance.ModelPerformance.numeric(new double[] {0.25, 0.5}, new double[] {0, 1}), 2);
    List<Sample> samples = parse(PrometheusGauges.scrape("m", AlertFixtures.report(false).withPerformance(performance)));
    Map<String, Double> got = new HashMap<>();
    samples.stream().filter(x -> x.name().equals("strata_model_performance")).forEach(x -> {
      assertThat(x.labels()).containsEntry("monitor", "m").containsEntry("model", "scores");
      got.put(x.labels().get("metric"), x.value());
    });
    assertThat(got).containsOnlyKeys("mae", "rmse", "bias", "accuracy");
    assertThat(got.get("mae")).isEqualTo(0.375);
    assertThat(got.get("bias")).isEqualTo(-0.125);
    assertThat(got.get("accuracy")).isEqualTo(1.0);
  }

  @Test
  void fileIsReplacedWholeAndPushgatewayGetsTheSameText(@TempDir Path dir) throws IOException {
    DriftReport report = AlertFixtures.report(true);
    Path file = dir.resolve("strata.prom");
    Files.writeString(file, "stale");
    PrometheusGauges.write("m", report, file);
    assertThat(Files.readString(file)).isEqualTo(PrometheusGauges.scrape("m", report));
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.toList()).containsExactly(file);
    }

    HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    Map<String, String> got = new HashMap<>();
    server.createContext("/", x -> {
      got.put("method", x.getRequestMethod());
      got.put("path", x.getRequestURI().getPath());
      got.put("body", new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
      x.sendResponseHeaders(200, -1);
      x.close();
    });
    server.start();
    try {
      PrometheusGauges.push("m", report, URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    } finally {
      server.stop(0);
    }
    assertThat(got).containsEntry("method", "PUT").containsEntry("path", "/metrics/job/strata_monitor/monitor/m");
    assertThat(parse(got.get("body"))).isEqualTo(parse(PrometheusGauges.scrape("m", report)));
  }
}
