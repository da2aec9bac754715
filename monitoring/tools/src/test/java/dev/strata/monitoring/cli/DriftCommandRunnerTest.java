package dev.strata.monitoring.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DriftCommandRunnerTest {
  @TempDir Path dir;

  /** End to end: CSV text → parse → drift → JSON text, still equal to scipy's values. */
  @Test
  void jsonOutputMatchesScipyThroughCsvAndJsonLines() throws IOException {
    JsonNode vectors = read("/drift/vectors.json");
    JsonNode num = find(vectors, "with_nulls");
    JsonNode cat = find(vectors, "categorical_shift_unseen");
    Path ref = dir.resolve("ref.csv");
    Path cur = dir.resolve("cur.jsonl");
    StringBuilder csv = new StringBuilder("amount,\"segment, quoted\"\n");
    int n = Math.max(num.get("reference").size(), cat.get("reference").size());
    // the two columns have different lengths: pad the shorter as a separate file is not possible,
    // so write rows up to the numeric length and check categoricals in the second run
    for (int i = 0; i < num.get("reference").size(); i++) {
      JsonNode v = num.get("reference").get(i);
      csv.append(v.isNull() ? "" : v.asText()).append(",x\n");
    }
    Files.writeString(ref, csv);
    StringBuilder jl = new StringBuilder();
    for (JsonNode v : num.get("current")) {
      jl.append(v.isNull() ? "{\"amount\":null}" : "{\"amount\":" + v.asText() + ",\"segment, quoted\":\"x\"}").append('\n');
    }
    Files.writeString(cur, jl);
    Result r = run(ref, cur, List.of("amount"), true);
    assertThat(r.code).as(r.err).isZero();
    JsonNode f = new ObjectMapper().readTree(r.out).get("features").get(0);
    JsonNode e = num.get("expected");
    for (String m : List.of("psi", "js_distance", "wasserstein", "wasserstein_normed", "out_of_range",
        "reference_null_rate", "current_null_rate")) {
      assertThat(f.get("metrics").get(m).asDouble()).as(m).isCloseTo(e.get(m).asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(f.get("metrics").get("ks").asDouble()).isCloseTo(e.get("ks_statistic").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(f.get("metrics").get("ks_pvalue").asDouble()).isCloseTo(e.get("ks_pvalue").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    assertThat(n).isPositive();

    Path refCat = dir.resolve("ref_cat.csv");
    Path curCat = dir.resolve("cur_cat.csv");
    Files.writeString(refCat, column("segment", cat.get("reference")));
    Files.writeString(curCat, column("segment", cat.get("current")));
    Result c = run(refCat, curCat, List.of(), true);
    assertThat(c.code).as(c.err).isZero();
    JsonNode g = new ObjectMapper().readTree(c.out).get("features").get(0);
    assertThat(g.get("kind").asText()).isEqualTo("categorical");
    assertThat(g.get("metrics").get("chi_square").asDouble())
        .isCloseTo(cat.get("expected").get("chi_square").asDouble(), org.assertj.core.data.Offset.offset(1e-9 * 100));
    assertThat(g.get("status").asText()).isEqualTo("drift"); // 10% of values never seen before
  }

  @Test
  void tableOutputNamesEveryColumnAndStatus() throws IOException {
    Path ref = dir.resolve("a.csv");
    Path cur = dir.resolve("b.csv");
    Files.writeString(ref, "x,city\n1,Oslo\n2,Oslo\n3,Rome\n4,\n5,Rome\n");
    Files.writeString(cur, "x,city\n11,Oslo\n12,Paris\n13,Rome\n14,Rome\n,Rome\n");
    Result r = run(ref, cur, List.of(), false);
    assertThat(r.code).as(r.err).isZero();
    String[] lines = r.out.split("\n");
    assertThat(lines[0]).startsWith("feature").contains("psi", "ks_p", "w_normed", "chi2", "unseen");
    assertThat(lines[1]).startsWith("x ").contains("numeric", "drift");
    assertThat(lines[2]).startsWith("city").contains("categorical");
    assertThat(r.out).contains("x: drift (");
  }

  @Test
  void segmentsAndMixedColumns() throws IOException {
    Path ref = write("seg_r.csv", "airport,delay,code\nATL,1,1\nATL,2,2\nORD,3,3\nORD,4,4\n");
    Path cur = write("seg_c.csv", "airport,delay,code\nATL,1,N/A\nATL,9,2\nORD,3,3\nSFO,4,4\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new DriftCommandRunner().withSegmentColumn("airport").run(ref, cur, List.of(), true,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    assertThat(code).isZero();
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("Treating column 'code' as categorical: the current file has values that are not numbers.");
    List<String> names = new java.util.ArrayList<>();
    new ObjectMapper().readTree(out.toString(StandardCharsets.UTF_8)).get("features")
        .forEach(f -> names.add(f.get("feature").asText()));
    assertThat(names).containsExactly("delay", "code", "delay [airport=ATL]", "code [airport=ATL]",
        "delay [airport=ORD]", "code [airport=ORD]");
  }

  /** The same scipy case through Parquet files (written by DuckDB here, read back by strata drift). */
  @Test
  void parquetInputMatchesScipy() throws Exception {
    JsonNode num = find(read("/drift/vectors.json"), "with_nulls");
    Path ref = parquet("ref.parquet", num.get("reference"));
    Path cur = parquet("cur.parquet", num.get("current"));
    Result r = run(ref, cur, List.of("amount"), true);
    assertThat(r.code).as(r.err).isZero();
    JsonNode f = new ObjectMapper().readTree(r.out).get("features").get(0);
    JsonNode e = num.get("expected");
    for (String m : List.of("psi", "js_distance", "wasserstein", "wasserstein_normed", "out_of_range",
        "reference_null_rate", "current_null_rate")) {
      assertThat(f.get("metrics").get(m).asDouble()).as(m).isCloseTo(e.get(m).asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    }
    assertThat(f.get("metrics").get("ks").asDouble()).isCloseTo(e.get("ks_statistic").asDouble(), org.assertj.core.data.Offset.offset(1e-9));
    Path bad = write("bad.parquet", "not parquet at all\n");
    Result b = run(bad, cur, List.of(), false);
    assertThat(b.code).isEqualTo(1);
    assertThat(b.err.strip()).startsWith("Cannot read " + bad + " as Parquet: ").doesNotContain("\n");
  }

  private Path parquet(String name, JsonNode values) throws Exception {
    Path file = dir.resolve(name);
    try (java.sql.Connection c = java.sql.DriverManager.getConnection("jdbc:duckdb:")) {
      c.createStatement().execute("CREATE TABLE t (amount DOUBLE, n BIGINT)");
      try (java.sql.PreparedStatement insert = c.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
        long i = 0;
        for (JsonNode v : values) {
          if (v.isNull()) {
            insert.setNull(1, java.sql.Types.DOUBLE);
          } else {
            insert.setDouble(1, v.asDouble());
          }
          insert.setLong(2, i++);
          insert.execute();
        }
      }
      c.createStatement().execute("COPY t TO '" + file + "' (FORMAT parquet)");
    }
    dev.strata.monitoring.io.Table t = dev.strata.monitoring.io.Tables.read(file);
    assertThat(t.rows()).isEqualTo(values.size());
    return file;
  }

  @Test
  void badInputIsOneSentenceAndExitOne() throws IOException {
    Path ok = dir.resolve("ok.csv");
    Files.writeString(ok, "a,b\n1,2\n");
    Map<String, Result> cases = Map.of(
        "missing", run(dir.resolve("nope.csv"), ok, List.of(), false),
        "column", run(ok, ok, List.of("c"), false),
        "format", run(dir.resolve("x.parquet"), ok, List.of(), false),
        "empty", run(write("empty.csv", "a,b\n"), ok, List.of(), false),
        "ragged", run(write("ragged.csv", "a,b\n1\n"), ok, List.of(), false),
        "jsonl", run(write("bad.jsonl", "{\"a\":1}\nnot json\n"), ok, List.of(), false));
    cases.forEach((name, r) -> {
      assertThat(r.code).as(name).isEqualTo(1);
      assertThat(r.err.strip()).as(name).startsWith("Cannot ").doesNotContain("\n").doesNotContain("Exception");
      assertThat(r.out).as(name).isEmpty();
    });
    assertThat(cases.get("missing").err).contains("nope.csv", "not found");
    assertThat(cases.get("column").err).contains("'c'", "a, b");
    assertThat(cases.get("ragged").err).contains("record 1 has 1 fields");
    assertThat(cases.get("jsonl").err).contains("line 2");
  }

  @Test
  void writesHtmlReportBeside() throws IOException {
    Path ref = write("r.csv", "v\n1\n2\n3\n");
    Path cur = write("c.csv", "v\n2\n3\n4\n");
    Path html = dir.resolve("report.html");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code = new DriftCommandRunner().withHtmlReport(html).run(ref, cur, List.of("v"), true,
        new PrintStream(out, true, StandardCharsets.UTF_8), System.err);
    assertThat(code).isZero();
    assertThat(Files.readString(html)).contains("id=\"drift-data\"", "data-rendered").doesNotContain("src=\"http", "href=\"http", "<link", "@import");
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text);
    return p;
  }

  private static String column(String name, JsonNode values) {
    StringBuilder sb = new StringBuilder(name).append('\n');
    values.forEach(v -> sb.append(v.isNull() ? "" : v.asText()).append('\n'));
    return sb.toString();
  }

  private static JsonNode find(JsonNode vectors, String name) {
    for (JsonNode c : vectors.get("cases")) {
      if (c.get("name").asText().equals(name)) {
        return c;
      }
    }
    throw new AssertionError("no vector " + name);
  }

  private static JsonNode read(String resource) throws IOException {
    try (InputStream in = DriftCommandRunnerTest.class.getResourceAsStream(resource)) {
      return new ObjectMapper().readTree(in);
    }
  }

  record Result(int code, String out, String err) {}

  private static Result run(Path ref, Path cur, List<String> columns, boolean json) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = new DriftCommandRunner().run(ref, cur, columns, json,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }
}
