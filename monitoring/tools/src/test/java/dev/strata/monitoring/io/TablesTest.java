package dev.strata.monitoring.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.io.EventCsv;
import dev.strata.monitoring.drift.CategoryCounts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Columns read into primitive arrays: the same values the CSV dialect ({@link EventCsv}) gives,
 * whichever reader path a file takes, and text kept as written wherever a column is categorical.
 */
class TablesTest {
  @TempDir Path dir;

  /**
   * The columnar fast path against the dialect's record reader, on generated files: plain,
   * quoted, escaped, blank lines, byte-order mark, every line end, files larger than a read
   * block and a batch, and constructs only the record reader takes (it must then be used) or
   * rejects (the same error either way).
   */
  @Test
  void columnarReaderEqualsTheRecordReaderOnGeneratedFiles() throws IOException {
    SplittableRandom random = new SplittableRandom(6);
    int plain = 0;
    for (int trial = 0; trial < 400; trial++) {
      int rows = trial % 50 == 0 ? 9_000 + random.nextInt(20_000) : random.nextInt(40);
      String text = generate(random, 1 + random.nextInt(4), rows, trial % 3 == 0);
      Path file = dir.resolve("t" + trial + ".csv");
      Files.writeString(file, text, StandardCharsets.UTF_8);
      Object expected = readOrError(file, true);
      Object actual = readOrError(file, false);
      assertThat(actual).as("trial %d:\n%s", trial, text.length() < 2_000 ? text : text.substring(0, 2_000)).isEqualTo(expected);
      plain += text.contains("\"") ? 0 : 1;
    }
    assertThat(plain).as("files without quotes").isGreaterThan(50);
  }

  @Test
  void aLongLineStraddlesReadBlocksAndCarriageReturnsEndBlocks() throws IOException {
    StringBuilder sb = new StringBuilder("a,b\r\n");
    for (int i = 0; i < 30_000; i++) {
      sb.append(i).append(',').append(i % 7 == 0 ? "x".repeat(i % 300) : "y").append("\r\n");
    }
    sb.append("1,").append("z".repeat(200_000)).append('\r');
    Path file = dir.resolve("long.csv");
    Files.writeString(file, sb, StandardCharsets.UTF_8);
    assertThat(readOrError(file, false)).isEqualTo(readOrError(file, true));
    assertThat(Tables.readCsv(file).rows()).isEqualTo(30_001);
  }

  /** Numbers first, then text: the column is read again, and its categories are the text as written. */
  @Test
  void aColumnThatTurnsToTextKeepsItsTextAndItsPlace() throws IOException {
    StringBuilder csv = new StringBuilder("code,n,name\n");
    StringBuilder jsonl = new StringBuilder();
    for (int i = 0; i < 10_000; i++) {
      String code = i == 9_999 ? "N/A" : i % 2 == 0 ? "007" : "7";
      csv.append(code).append(',').append(i).append(",x").append(i % 3).append('\n');
      jsonl.append("{\"code\":\"").append(code).append("\",\"n\":").append(i).append("}\n");
    }
    for (Path file : List.of(write("turns.csv", csv.toString()), write("turns.jsonl", jsonl.toString()))) {
      Table t = Tables.read(file);
      assertThat(t.layout().get(0)).isEqualTo("code:text");
      assertThat(t.layout().get(1)).isEqualTo("n:numbers");
      CategoryCounts codes = t.categories("code");
      assertThat(List.of(codes.category(0), codes.category(1), codes.category(2))).containsExactly("007", "7", "N/A");
      assertThat(List.of(codes.count(0), codes.count(1), codes.count(2))).containsExactly(5_000L, 4_999L, 1L);
      assertThat(t.doubles("n")[9_999]).isEqualTo(9_999.0);
    }
  }

  /** A column numeric in one file is categorical when the other has text: read again as text, "007" stays "007". */
  @Test
  void asTextReadsNumbersAgainAsWritten() throws IOException {
    Table t = Tables.read(write("codes.csv", "code,empty\n007,\n7,\n7,\n1.50,\n"), Set.of());
    assertThat(t.layout()).containsExactly("code:numbers", "empty:numbers");
    assertThat(t.doubles("code")).containsExactly(7, 7, 7, 1.5);
    assertThatThrownBy(() -> t.categories("code")).isInstanceOf(IllegalStateException.class);
    Table text = t.asText(List.of("code", "empty"));
    assertThat(text.texts("code")).containsExactly("007", "7", "7", "1.50");
    assertThat(text.texts("empty")).containsExactly(null, null, null, null);
    CategoryCounts c = text.categories("code");
    assertThat(c.size()).isEqualTo(3); // sorted as text: "007" < "1.50" < "7"
    assertThat(List.of(c.category(0), c.category(1), c.category(2))).containsExactly("007", "1.50", "7");
    assertThat(List.of(c.count(0), c.count(1), c.count(2))).containsExactly(1L, 1L, 2L);
    // segments: a column named as text stays text though it holds numbers
    Table seg = Tables.read(write("seg.csv", "hour,v\n7,1\n07,2\n7,3\n"), Set.of("hour"));
    assertThat(seg.distinctValues("hour")).containsExactly("07", "7");
    assertThat(seg.filter("hour", "7").doubles("v")).containsExactly(1, 3);
    assertThat(seg.filter("hour", "07").doubles("v")).containsExactly(2);
  }

  private Path write(String name, String text) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, text, StandardCharsets.UTF_8);
    return p;
  }

  /** A table as comparable values (column layout, numbers as bits, text row by row), or the error's message. */
  private static Object readOrError(Path file, boolean records) {
    try {
      Table t = records ? Tables.readCsvRecords(file) : Tables.readCsv(file);
      List<Object> out = new ArrayList<>();
      out.add(t.rows());
      out.add(t.layout());
      for (String c : t.columnNames()) {
        if (t.layout().contains(c + ":numbers")) {
          List<Long> bits = new ArrayList<>();
          for (double d : t.doubles(c)) {
            bits.add(Double.doubleToRawLongBits(d));
          }
          out.add(bits);
        } else {
          out.add(java.util.Arrays.asList(t.texts(c)));
        }
      }
      return out;
    } catch (IOException e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  private static final String[] NUMBERS = {"7", "007", "-0", "+3", "1.5", "1e3", "2.50", " 4 ", "-12345678901234567", "123456789012345678901",
      "0x10", "1d", ".5", "5.", "NaN", "Infinity"};
  private static final String[] TEXTS = {"ATL", "a b", " ", "\t", "Ünïcode", "\u2003", "日本", "😀", "x'y", "#"};

  /** A CSV text; {@code numeric}: most cells numbers, so columns stay numeric or turn late. */
  private static String generate(SplittableRandom random, int columns, int rows, boolean numeric) {
    StringBuilder sb = new StringBuilder();
    if (random.nextInt(8) == 0) {
      sb.append('\uFEFF');
    }
    String[] ends = {"\n", "\r\n", "\r"};
    String end = ends[random.nextInt(3)];
    for (int c = 0; c < columns; c++) {
      sb.append(c == 0 ? "" : ",").append(random.nextInt(10) == 0 ? "\"c" + c + "\"" : "c" + c);
    }
    sb.append(end);
    boolean odd = random.nextInt(4) == 0; // constructs beyond the plain kind, now and then
    for (int r = 0; r < rows; r++) {
      if (random.nextInt(50) == 0) {
        sb.append(random.nextBoolean() ? "" : "  ").append(end); // blank lines are skipped
      }
      for (int c = 0; c < columns; c++) {
        if (c > 0) {
          sb.append(',');
        }
        sb.append(cell(random, numeric, odd));
      }
      if (odd && random.nextInt(200) == 0) {
        sb.append(",extra"); // a record wider than the header
      }
      if (r + 1 < rows || random.nextBoolean()) {
        sb.append(random.nextInt(30) == 0 ? ends[random.nextInt(3)] : end);
      }
    }
    return sb.toString();
  }

  private static String cell(SplittableRandom random, boolean numeric, boolean odd) {
    int k = random.nextInt(100);
    if (k < 8) {
      return ""; // null
    }
    if (k < 10) {
      return "\"\""; // the empty string
    }
    if (k < 14) {
      String v = random.nextBoolean() ? "a,b" : "say \"\"hi\"\"";
      return "\"" + v + "\"";
    }
    if (k < 16) {
      return "\"" + NUMBERS[random.nextInt(NUMBERS.length)] + "\"";
    }
    if (odd && k < 18) {
      String[] beyond = {"ab\"c", "\"two\nlines\"", "\"closed\"then", "\"never closed"};
      return beyond[random.nextInt(beyond.length)];
    }
    if (numeric ? k < 95 : k < 50) {
      return random.nextInt(3) == 0 ? NUMBERS[random.nextInt(NUMBERS.length)] : Integer.toString(random.nextInt(2_000) - 1_000);
    }
    return TEXTS[random.nextInt(TEXTS.length)];
  }
}
