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

  /** Issue 19 item 7: a timestamp column is not 10,000 categories that always drift. */
  @Test
  void timestampColumnsAreSkippedWithANoteOrComparedAsEpochSecondsWhenNamed() throws IOException {
    Path ref = write("jan.csv", "date,delay\n2001-01-01 00:47:00,5\n2001-01-02 10:00:00,7\n2001-01-03,9\n");
    Path cur = write("mar.csv", "date,delay\n2001-03-01T00:47:00Z,5\n2001-03-02T11:00:00+01:00,7\n2001-03-03,9\n");
    Result r = run(ref, cur, List.of(), true);
    assertThat(r.code).as(r.err).isZero();
    assertThat(r.err).isEqualTo("Skipping column 'date': it holds dates or timestamps, which differ between two periods "
        + "by construction; name it in --columns to compare it as seconds since the epoch.\n");
    JsonNode features = new ObjectMapper().readTree(r.out).get("features");
    assertThat(features).hasSize(1);
    assertThat(features.get(0).get("feature").asText()).isEqualTo("delay");

    // Named: seconds since the epoch. The current dates are the reference's shifted by one day
    // (11:00+01:00 is 10:00Z), so the Wasserstein distance is 86,400 s and the KS statistic 2/3
    // (scipy: wasserstein_distance and ks_2samp of the same epoch seconds).
    Path shifted = write("shifted.csv", "date\n2001-01-02T00:47:00Z\n2001-01-03T11:00:00+01:00\n2001-01-04\n");
    Result named = run(ref, shifted, List.of("date"), true);
    assertThat(named.code).as(named.err).isZero();
    JsonNode date = new ObjectMapper().readTree(named.out).get("features").get(0);
    assertThat(date.get("kind").asText()).isEqualTo("numeric");
    assertThat(date.get("metrics").get("wasserstein").asDouble()).isCloseTo(86_400.0, org.assertj.core.data.Offset.offset(1e-6));
    assertThat(date.get("metrics").get("ks").asDouble()).isCloseTo(2.0 / 3, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void failOnDriftExitsThreeOnlyWhenAColumnDrifts() throws IOException {
    Path ref = write("r.csv", "x\n" + "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n".repeat(20));
    Path same = write("s.csv", "x\n" + "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n".repeat(20));
    Path moved = write("m.csv", "x\n" + "101\n102\n103\n104\n105\n106\n107\n108\n109\n110\n".repeat(20));
    DriftCommandRunner failing = new DriftCommandRunner().withFailOnDrift(true);
    assertThat(run(failing, ref, same).code).isZero();
    Result drifted = run(failing, ref, moved);
    assertThat(drifted.code).isEqualTo(3);
    assertThat(drifted.out).contains("drift");
    assertThat(drifted.err).isEqualTo("Drift in 1 column(s): x (exit 3, --fail-on-drift).\n");
    assertThat(run(new DriftCommandRunner(), ref, moved).code).isZero();
  }

  private static Result run(DriftCommandRunner runner, Path ref, Path cur) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = runner.run(ref, cur, List.of(), false,
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
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
