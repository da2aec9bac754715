package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.batch.LogIngestJob;
import dev.strata.batch.MonitorJob;
import dev.strata.batch.ProfileTable;
import dev.strata.batch.SkewJob;
import dev.strata.dsl.lang.NameRules;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.CompiledTrainingSet;
import dev.strata.dsl.plan.CompiledPlan.KeyColumn;
import dev.strata.dsl.plan.PlanCompiler;
import dev.strata.dsl.types.Field;
import dev.strata.online.RedisLayout;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15: hostile variants of the example project (names, values, nesting, types, unicode,
 * huge numbers, deleted and repeated lines, binary garbage) through {@code strata validate} and
 * {@code strata plan}, in-process. Every run ends with exit 0, or exit 1 and only {@code
 * file:line:col: message} lines (and the count), or one sentence; never a stack trace or an
 * internal exception's text. For every variant that validates, the names the later stages derive
 * (Iceberg tables and their columns, training-set columns, Redis keys, Kubernetes names) are
 * unique ignoring case and fit their limits.
 *
 * <p>Seeded ({@code -Dstrata.fuzz.seed=N}, {@code -Dstrata.fuzz.variants=N}) and bounded in time
 * ({@code -Dstrata.fuzz.seconds=N}); a failure names the seed, the variant and its edits.
 */
class DefinitionFuzzTest {
  private static final long DEFAULT_SEED = 0x5742_15L;
  private static final int DEFAULT_VARIANTS = 300;
  /** Enough for 300 variants on a quiet machine; a busy one runs fewer (at least {@link #MIN_VARIANTS}). */
  private static final int DEFAULT_SECONDS = 30;
  private static final int MIN_VARIANTS = 50;

  private static final Pattern DIAGNOSTIC = Pattern.compile("^(.+):(\\d+):(\\d+): (.+)$");
  private static final Pattern COUNT = Pattern.compile("^strata: \\d+ error\\(s\\)$");
  /** Text that only an internal failure prints. */
  private static final List<String> INTERNAL = List.of("Exception", "\tat ", "STRATA_DEBUG", "java.", "For input string",
      "long overflow", "Input length", "StackOverflow", "NullPointer", "IndexOutOfBounds");
  /** Strata's own tables in the namespace, as the batch jobs name them. */
  private static final List<String> SYSTEM_TABLES = List.of(LogIngestJob.SERVED_TABLE, LogIngestJob.PREDICTION_TABLE,
      LogIngestJob.LABEL_TABLE, LogIngestJob.FILES_TABLE, MonitorJob.TABLE, MonitorJob.PERFORMANCE_TABLE,
      ProfileTable.TABLE, SkewJob.TABLE, "training");
  private static final Pattern DNS_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");

  /** The example's names, which renames pick from. */
  private static final List<String> NAMES = List.of("flights", "airport", "route", "origin_delays", "destination_delays",
      "route_delays", "avg_delay", "late_share", "max_delay", "p90_delay", "destinations", "avg_arrival_delay", "arrivals",
      "delay_stddev", "last_delays", "delay_model_v1", "delay_trend", "busy_origin", "delay_training", "delay_model_health",
      "origin", "destination", "delay", "distance", "date");

  @Test
  void hostileVariantsOfTheExampleNeverCrashAndNeverPassANameALaterStageCannotTake(@TempDir Path tmp) throws IOException {
    long seed = Long.getLong("strata.fuzz.seed", DEFAULT_SEED);
    int variants = Integer.getInteger("strata.fuzz.variants", DEFAULT_VARIANTS);
    long budget = Integer.getInteger("strata.fuzz.seconds", DEFAULT_SECONDS) * 1_000_000_000L;
    Map<String, byte[]> example = new LinkedHashMap<>();
    for (String f : List.of("entities.yaml", "features.yaml", "strata.yaml")) {
      example.put(f, Files.readAllBytes(StrataCliTest.EXAMPLE.resolve(f)));
    }
    Random random = new Random(seed);
    long start = System.nanoTime();
    int ok = 0;
    int failed = 0;
    int ran = 0;
    for (int i = 0; i < variants && System.nanoTime() - start < budget; i++, ran++) {
      Map<String, byte[]> files = new LinkedHashMap<>(example);
      List<String> edits = new ArrayList<>();
      int n = 1 + random.nextInt(3);
      for (int k = 0; k < n; k++) {
        edits.add(mutate(files, random));
      }
      Path dir = tmp.resolve("v" + i).resolve("flights");
      Files.createDirectories(dir);
      for (Map.Entry<String, byte[]> f : files.entrySet()) {
        Files.write(dir.resolve(f.getKey()), f.getValue());
      }
      String where = "seed " + seed + ", variant " + i + " (" + dir + "), edits " + edits;
      StrataCliTest.Run validate = StrataCliTest.run("validate", dir.toString());
      StrataCliTest.Run plan = StrataCliTest.run("plan", dir.toString());
      assertCleanOutcome(validate, where + ", validate");
      assertCleanOutcome(plan, where + ", plan");
      assertThat(plan.code()).as("plan and validate agree: " + where + "\n" + validate.err() + plan.err())
          .isEqualTo(validate.code());
      assertThat(dir.resolve(".strata")).as("plan only reads: " + where).doesNotExist();
      if (validate.code() == 0) {
        ok++;
        assertDerivedNamesFit(dir, where);
      } else {
        failed++;
      }
    }
    System.out.printf(Locale.ROOT, "DefinitionFuzzTest: seed %d, %d variants in %.1f s: %d valid, %d refused%n",
        seed, ran, (System.nanoTime() - start) / 1e9, ok, failed);
    assertThat(ran).as("variants run within the time budget (seed " + seed + ")").isGreaterThanOrEqualTo(Math.min(variants, MIN_VARIANTS));
    // both outcomes are exercised, or the fuzzer tests little
    assertThat(ok).as("valid variants (seed " + seed + ")").isGreaterThanOrEqualTo(ran / 20);
    assertThat(failed).as("refused variants (seed " + seed + ")").isGreaterThanOrEqualTo(ran / 4);
  }

  @Test
  void everyTableTheJobsWriteIsAReservedName() {
    for (String table : SYSTEM_TABLES) {
      assertThat(NameRules.RESERVED_TABLES).as("NameRules.RESERVED_TABLES lacks the jobs' table " + table)
          .contains(table.toLowerCase(Locale.ROOT));
    }
  }

  private static void assertCleanOutcome(StrataCliTest.Run r, String where) {
    String all = r.out() + r.err();
    for (String bad : INTERNAL) {
      assertThat(all).as("internal failure text '" + bad + "' at " + where + ":\n" + all).doesNotContain(bad);
    }
    assertThat(r.code()).as(where + ":\n" + all).isIn(0, 1);
    if (r.code() == 0) {
      assertThat(r.err()).as(where).isEmpty();
      return;
    }
    List<String> lines = r.err().lines().toList();
    assertThat(lines).as(where).isNotEmpty();
    boolean diagnostics = lines.size() >= 2 && COUNT.matcher(lines.get(lines.size() - 1)).matches();
    if (!diagnostics) {
      assertThat(lines).as("one sentence without a position at " + where + ":\n" + r.err()).hasSize(1);
      assertThat(lines.get(0)).as(where).startsWith("strata: ").doesNotContain(" failed: ");
      return;
    }
    for (String line : lines.subList(0, lines.size() - 1)) {
      Matcher m = DIAGNOSTIC.matcher(line);
      assertThat(m.matches()).as("a file:line:col: message line at " + where + ":\n" + r.err()).isTrue();
      assertThat(Integer.parseInt(m.group(2))).as(where + ": " + line).isPositive();
      assertThat(Integer.parseInt(m.group(3))).as(where + ": " + line).isPositive();
      assertThat(Path.of(m.group(1)).getFileName().toString()).as(where + ": " + line)
          .isIn("entities.yaml", "features.yaml", "strata.yaml");
    }
  }

  /** The names Spark, Iceberg, Redis and Kubernetes get from a valid project: unique ignoring case, within limits. */
  private static void assertDerivedNamesFit(Path dir, String where) {
    ProjectLoader.Loaded loaded = ProjectLoader.load(dir);
    CompiledPlan plan = PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    List<String> tables = new ArrayList<>(SYSTEM_TABLES);
    for (CompiledGroup g : plan.groups()) {
      tables.add(g.name());
      tables.add(g.name() + "__tiles");
      List<String> keys = g.keys().stream().map(KeyColumn::name).toList();
      List<String> tileColumns = new ArrayList<>(keys);
      tileColumns.addAll(List.of("group_version", "hop", "tile_start", "tile"));
      assertUniqueIgnoringCase(tileColumns, "columns of " + g.name() + "__tiles", where);
      List<String> snapshotColumns = new ArrayList<>(keys);
      snapshotColumns.addAll(List.of("day", "as_of"));
      g.features().stream().map(CompiledFeature::name).forEach(snapshotColumns::add);
      assertUniqueIgnoringCase(snapshotColumns, "columns of " + g.name(), where);
    }
    assertUniqueIgnoringCase(tables, "tables", where);
    for (String t : tables) {
      assertThat(t).as("table name at " + where).matches("[A-Za-z0-9_]+");
      assertThat(t.getBytes(StandardCharsets.UTF_8).length).as("a table folder name fits a file name: " + where)
          .isLessThanOrEqualTo(255);
    }
    for (CompiledTrainingSet ts : plan.trainingSets()) {
      CompiledService service = plan.service(ts.service()).orElseThrow();
      List<String> columns = new ArrayList<>();
      if (ts.spineSource() != null) {
        plan.source(ts.spineSource()).orElseThrow().schema().fields().stream().map(Field::name).forEach(columns::add);
      }
      columns.add("label");
      service.features().forEach(f -> columns.add(f.qualifiedName().replace(".", "__")));
      service.derived().forEach(d -> columns.add(d.name()));
      assertUniqueIgnoringCase(columns, "columns of training set " + ts.name(), where);
    }
    RedisLayout layout = RedisLayout.standard();
    List<String> redisKeys = new ArrayList<>();
    for (CompiledGroup g : plan.groups()) {
      List<Object> key = Collections.nCopies(g.keys().size(), "k");
      redisKeys.add(layout.key(g, key));
    }
    assertThat(redisKeys).as("Redis keys at " + where).doesNotHaveDuplicates();
    List<String> kubernetes = new ArrayList<>();
    kubernetes.add(plan.project());
    plan.groups().forEach(g -> kubernetes.add(g.name()));
    plan.sources().forEach(s -> kubernetes.add(s.name()));
    plan.monitors().forEach(m -> kubernetes.add(m.name()));
    for (String name : kubernetes) {
      String kube = name.toLowerCase(Locale.ROOT).replace('_', '-'); // as ManifestRenderer names resources
      assertThat(kube).as("Kubernetes form of '" + name + "' at " + where).matches(DNS_LABEL).hasSizeLessThanOrEqualTo(63);
    }
  }

  private static void assertUniqueIgnoringCase(List<String> names, String what, String where) {
    Map<String, String> seen = new HashMap<>();
    for (String n : names) {
      String first = seen.putIfAbsent(n.toLowerCase(Locale.ROOT), n);
      assertThat(first).as(what + ": '" + n + "' collides with '" + first + "' at " + where).isNull();
    }
  }

  // ------------------------------------------------------------------ mutations

  private static final List<String> HOSTILE_NAMES = List.of(
      "origin_delays__tiles", "served_features", "Monitoring_Drift", "training", "prediction_log", "MAX_DELAY",
      "ORIGIN_DELAYS", "Flights", "g".repeat(64), "g".repeat(300), "h".repeat(63), "délai", "名前", "a b", "1abc", "_x",
      "x_", "a-b", "a.b", "\"\"", "''", "day", "as_of", "hop", "label", "tile", "x__y", "\"a\\nb\"", "😀", "NULL", "select");
  private static final List<String> HOSTILE_VALUES = List.of(
      "99999999999999999999d", "9223372036854775807s", "3652060d", "3652059d", "0d", "-1", "1e999", ".nan", ".inf",
      "!!str true", "\"true\"", "~", "[]", "{}", "99999999999999999999", "-99999999999999999999", "+999999999-01-01T00:00",
      "10000-01-01", "0000-01-01", "*undefined", "&a [*a]", "!!binary AAAA", "!foo x", "!!int abc", "!!float x",
      "\"\\u0000\"", "'\u2028'", "|\n  text", ">-", "? [a]", "{a: 1, a: 2}", "[1, [2, [3]]]", "0x1F", "1_000", "true",
      "lifetime", "1h", "7d", "avg", "string", "timestamp", "\"" + "x".repeat(100_000) + "\"");

  private static String mutate(Map<String, byte[]> files, Random r) {
    List<String> names = new ArrayList<>(files.keySet());
    String file = names.get(r.nextInt(names.size()));
    byte[] bytes = files.get(file);
    String text = new String(bytes, StandardCharsets.UTF_8);
    int kind = r.nextInt(14);
    String edit;
    switch (kind) {
      case 0, 1 -> { // rename every use of a name, to a valid fresh one or to a hostile one
        String from = NAMES.get(r.nextInt(NAMES.size()));
        String to = r.nextBoolean() ? "n" + r.nextInt(1000) + "_x" : HOSTILE_NAMES.get(r.nextInt(HOSTILE_NAMES.size()));
        for (String f : names) {
          files.put(f, replaceWord(new String(files.get(f), StandardCharsets.UTF_8), from, to).getBytes(StandardCharsets.UTF_8));
        }
        return "rename " + from + " -> " + shorten(to);
      }
      case 2 -> { // rename one occurrence only
        String from = NAMES.get(r.nextInt(NAMES.size()));
        String to = HOSTILE_NAMES.get(r.nextInt(HOSTILE_NAMES.size()));
        text = replaceOneWord(text, from, to, r);
        edit = "rename one " + from + " -> " + shorten(to);
      }
      case 3, 4 -> { // replace a value
        List<int[]> values = values(text);
        if (values.isEmpty()) {
          return "none";
        }
        int[] v = values.get(r.nextInt(values.size()));
        String to = HOSTILE_VALUES.get(r.nextInt(HOSTILE_VALUES.size()));
        edit = "value " + shorten(text.substring(v[0], v[1])) + " -> " + shorten(to);
        text = text.substring(0, v[0]) + to + text.substring(v[1]);
      }
      case 5 -> { // nest a value deeply
        List<int[]> values = values(text);
        if (values.isEmpty()) {
          return "none";
        }
        int[] v = values.get(r.nextInt(values.size()));
        int depth = List.of(3, 30, 70, 500, 20_000).get(r.nextInt(5));
        boolean list = r.nextBoolean();
        String inner = text.substring(v[0], v[1]);
        String nested = list ? "[".repeat(depth) + inner + "]".repeat(depth) : "{a: ".repeat(depth) + inner + "}".repeat(depth);
        text = text.substring(0, v[0]) + nested + text.substring(v[1]);
        edit = "nest " + depth + (list ? " lists" : " mappings");
      }
      case 6 -> { // a long or deep expression
        int terms = List.of(5, 199, 202, 5_000, 20_001).get(r.nextInt(5));
        String op = List.of(" OR ", " AND ", " + ").get(r.nextInt(3));
        String expr = switch (r.nextInt(3)) {
          case 0 -> String.join(op, Collections.nCopies(terms, "delay > 1"));
          case 1 -> "(".repeat(terms) + "delay" + ")".repeat(terms);
          default -> "NOT ".repeat(terms) + "delay > 0";
        };
        file = "features.yaml";
        text = new String(files.get(file), StandardCharsets.UTF_8).replace("\"distance > 0\"", "\"" + expr + "\"");
        edit = "expression of " + terms + " terms";
      }
      case 7 -> { // delete a line
        List<String> lines = new ArrayList<>(text.lines().toList());
        int at = r.nextInt(Math.max(1, lines.size()));
        if (!lines.isEmpty()) {
          lines.remove(at);
        }
        text = String.join("\n", lines) + "\n";
        edit = "delete line " + (at + 1) + " of " + file;
      }
      case 8 -> { // repeat a line (duplicate keys)
        List<String> lines = new ArrayList<>(text.lines().toList());
        int at = r.nextInt(Math.max(1, lines.size()));
        if (!lines.isEmpty()) {
          lines.add(at, lines.get(at));
        }
        text = String.join("\n", lines) + "\n";
        edit = "repeat line " + (at + 1) + " of " + file;
      }
      case 9 -> { // a case twin of an aggregation
        file = "features.yaml";
        text = new String(files.get(file), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("(?m)^(\\s+- \\{ name: )(\\w+)(,.*)$").matcher(text);
        List<int[]> lines = new ArrayList<>();
        while (m.find()) {
          lines.add(new int[] {m.start(), m.end()});
        }
        if (lines.isEmpty()) {
          return "none";
        }
        int[] l = lines.get(r.nextInt(lines.size()));
        String line = text.substring(l[0], l[1]);
        Matcher one = Pattern.compile("^(\\s+- \\{ name: )(\\w+)(,.*)$").matcher(line);
        assertThat(one.matches()).isTrue();
        String twin = one.group(1) + one.group(2).toUpperCase(Locale.ROOT) + one.group(3);
        text = text.substring(0, l[1]) + "\n" + twin + text.substring(l[1]);
        edit = "case twin of " + one.group(2);
      }
      case 10 -> { // unicode and control characters anywhere
        int at = r.nextInt(text.length() + 1);
        String s = List.of("\u0000", "\u0007", "\u2028", "\uFEFF", "\uD800", "é", "😀", "\t", "\r", "\"", "'", ":", "#", "&",
            "*", "!", "%", "@", "`", "|", ">", "{", "}", "[", "]", ",", "-", "?").get(r.nextInt(28));
        text = text.substring(0, at) + s + text.substring(at);
        edit = String.format(Locale.ROOT, "insert U+%04X at %d of %s", (int) s.charAt(0), at, file);
      }
      case 11 -> { // binary garbage: invalid UTF-8 bytes, or a whole binary file
        if (r.nextBoolean()) {
          int at = r.nextInt(bytes.length + 1);
          byte[] garbage = new byte[1 + r.nextInt(8)];
          r.nextBytes(garbage);
          garbage[0] = (byte) (0x80 | garbage[0]); // a continuation byte out of place: never UTF-8
          byte[] out = new byte[bytes.length + garbage.length];
          System.arraycopy(bytes, 0, out, 0, at);
          System.arraycopy(garbage, 0, out, at, garbage.length);
          System.arraycopy(bytes, at, out, at + garbage.length, bytes.length - at);
          files.put(file, out);
          return "invalid UTF-8 at byte " + at + " of " + file;
        }
        byte[] out = new byte[r.nextInt(5000)];
        r.nextBytes(out);
        files.put(file, out);
        return "random bytes for " + file;
      }
      case 12 -> { // cut the file short
        int at = r.nextInt(text.length() + 1);
        text = text.substring(0, at);
        edit = "truncate " + file + " at " + at;
      }
      default -> { // a second group named after the first's tables or in another case
        file = "features.yaml";
        text = new String(files.get(file), StandardCharsets.UTF_8);
        int a = text.indexOf("  origin_delays:\n");
        int b = text.indexOf("  destination_delays:\n");
        if (a < 0 || b < a) {
          return "none";
        }
        String copyName = List.of("origin_delays__tiles", "ORIGIN_DELAYS", "served_features", "origin_delays_2")
            .get(r.nextInt(4));
        String block = text.substring(a, b).replaceFirst("origin_delays", copyName);
        text = text.substring(0, b) + block + text.substring(b);
        edit = "copy group origin_delays as " + copyName;
      }
    }
    files.put(file, text.getBytes(StandardCharsets.UTF_8));
    return edit;
  }

  /** Spans of the scalar values after "key: " (block style), up to a comma, brace or the line's end. */
  private static List<int[]> values(String text) {
    List<int[]> out = new ArrayList<>();
    Matcher m = Pattern.compile(":[ ]+([^\\s,{}\\[\\]#][^,{}\\[\\]#\\n]*)").matcher(text);
    while (m.find()) {
      out.add(new int[] {m.start(1), m.end(1)});
    }
    return out;
  }

  private static String replaceWord(String text, String from, String to) {
    return text.replaceAll("(?<![A-Za-z0-9_])" + Pattern.quote(from) + "(?![A-Za-z0-9_])", Matcher.quoteReplacement(to));
  }

  private static String replaceOneWord(String text, String from, String to, Random r) {
    Matcher m = Pattern.compile("(?<![A-Za-z0-9_])" + Pattern.quote(from) + "(?![A-Za-z0-9_])").matcher(text);
    List<Integer> starts = new ArrayList<>();
    while (m.find()) {
      starts.add(m.start());
    }
    if (starts.isEmpty()) {
      return text;
    }
    int at = starts.get(r.nextInt(starts.size()));
    return text.substring(0, at) + to + text.substring(at + from.length());
  }

  private static String shorten(String s) {
    String one = s.replace("\n", "\\n");
    return one.length() > 40 ? one.substring(0, 37) + "..." : one;
  }
}
