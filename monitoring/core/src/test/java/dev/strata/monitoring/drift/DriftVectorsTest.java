package dev.strata.monitoring.drift;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every exact-mode metric against numpy/scipy on the generated vectors
 * (src/test/resources/drift/make_vectors.py wrote them and their expected values).
 */
class DriftVectorsTest {
  static final double TOLERANCE = 1e-9;

  @TestFactory
  Stream<DynamicTest> matchesScipy() throws IOException {
    JsonNode root = read("/drift/vectors.json");
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : root.get("cases")) {
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }
    assertThat(tests).hasSizeGreaterThanOrEqualTo(15);
    return tests.stream();
  }

  private static void check(JsonNode c) {
    JsonNode expected = c.get("expected");
    String name = c.get("name").asText();
    if (c.get("kind").asText().equals("numeric")) {
      FeatureDrift d = ExactDrift.withDefaults().numeric(name, doubles(c.get("reference")), doubles(c.get("current")));
      assertNumeric(d, expected);
    } else {
      String[] reference = strings(c.get("reference"));
      String[] current = strings(c.get("current"));
      FeatureDrift d = ExactDrift.withDefaults().categorical(name, reference, current);
      assertCategorical(d, expected);
      // from counts made elsewhere (a dictionary-encoded column), without the values
      FeatureDrift counted = ExactDrift.withDefaults().categorical(name, counts(reference), counts(current));
      assertCategorical(counted, expected);
      assertThat(counted).isEqualTo(d);
    }
  }

  static void assertNumeric(FeatureDrift d, JsonNode expected) {
    assertThat(d.mode()).isEqualTo(Mode.EXACT);
    // edges decide bin membership: they must be numpy's doubles exactly
    assertThat(d.edges()).containsExactlyElementsOf(doubleList(expected.get("edges")));
    assertShares(d.referenceShares(), expected.get("reference_counts"));
    assertShares(d.currentShares(), expected.get("current_counts"));
    for (String m : List.of("psi", "js_distance", "wasserstein", "wasserstein_normed",
        "reference_null_rate", "current_null_rate", "out_of_range")) {
      close(d, m, expected.get(m));
    }
    close(d, Metrics.KS, expected.get("ks_statistic"));
    close(d, Metrics.KS_PVALUE, expected.get("ks_pvalue"));
    assertThat(d.metric(Metrics.NULL_RATE_CHANGE)).isCloseTo(
        expected.get("current_null_rate").asDouble() - expected.get("reference_null_rate").asDouble(),
        org.assertj.core.data.Offset.offset(TOLERANCE));
  }

  static void assertCategorical(FeatureDrift d, JsonNode expected) {
    List<String> bins = new ArrayList<>();
    expected.get("categories").forEach(n -> bins.add(n.asText()));
    bins.add(FeatureDrift.UNSEEN);
    assertThat(d.bins()).containsExactlyElementsOf(bins);
    assertShares(d.referenceShares(), expected.get("reference_counts"));
    assertShares(d.currentShares(), expected.get("current_counts"));
    for (String m : List.of("chi_square", "chi_square_pvalue", "psi", "js_distance",
        "reference_null_rate", "current_null_rate", "unseen_share")) {
      close(d, m, expected.get(m));
    }
  }

  /** Within 1e-9, relative to the value when it is above 1 (chi-square runs to thousands). */
  static void close(FeatureDrift d, String metric, JsonNode expected) {
    double actual = d.metric(metric);
    if (expected == null || expected.isNull()) {
      assertThat(actual).as(d.feature() + " " + metric).isNaN();
      return;
    }
    double e = expected.asDouble();
    double tol = TOLERANCE * Math.max(1, Math.abs(e));
    assertThat(actual).as(d.feature() + " " + metric).isCloseTo(e, org.assertj.core.data.Offset.offset(tol));
  }

  private static void assertShares(List<Double> shares, JsonNode counts) {
    long total = 0;
    for (JsonNode n : counts) {
      total += n.asLong();
    }
    assertThat(shares).hasSize(counts.size());
    for (int i = 0; i < shares.size(); i++) {
      assertThat(shares.get(i)).isEqualTo((double) counts.get(i).asLong() / total);
    }
  }

  static JsonNode read(String resource) throws IOException {
    try (InputStream in = DriftVectorsTest.class.getResourceAsStream(resource)) {
      assertThat(in).as(resource).isNotNull();
      return new ObjectMapper().readTree(in);
    }
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).isNull() ? Double.NaN : array.get(i).asDouble();
    }
    return out;
  }

  private static List<Double> doubleList(JsonNode array) {
    List<Double> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asDouble()));
    return out;
  }

  /** Counts in first-seen order (not sorted: sorting is the code's job), nulls apart. */
  private static CategoryCounts counts(String[] values) {
    java.util.Map<String, Long> seen = new java.util.LinkedHashMap<>();
    long nulls = 0;
    for (String v : values) {
      if (v == null) {
        nulls++;
      } else {
        seen.merge(v, 1L, Long::sum);
      }
    }
    String[] categories = seen.keySet().toArray(new String[0]);
    long[] counts = new long[categories.length + 1];
    for (int i = 0; i < categories.length; i++) {
      counts[i] = seen.get(categories[i]);
    }
    // a dictionary entry no row uses is not a category of the sample
    String[] withUnused = java.util.Arrays.copyOf(categories, categories.length + 1);
    withUnused[categories.length] = "never used";
    return CategoryCounts.of(withUnused, counts, nulls);
  }

  private static String[] strings(JsonNode array) {
    String[] out = new String[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).isNull() ? null : array.get(i).asText();
    }
    return out;
  }
}
