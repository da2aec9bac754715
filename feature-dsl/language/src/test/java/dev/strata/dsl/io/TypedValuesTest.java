package dev.strata.dsl.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.types.DataType;
import java.io.StringWriter;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The text and JSON rules of the class comment, one by one, and that written values read back. */
class TypedValuesTest {
  static final ObjectMapper JSON = new ObjectMapper();

  static JsonNode json(String text) throws Exception {
    return EventJson.MAPPER.readTree(text);
  }

  @Test
  void textOfEachType() {
    assertThat(TypedValues.parse(" 42 ", DataType.LONG)).isEqualTo(42L);
    assertThat(TypedValues.parse("+7", DataType.LONG)).isEqualTo(7L);
    assertThat(TypedValues.parse("1.0", DataType.LONG)).isEqualTo(1L);
    assertThat(TypedValues.parse("1e3", DataType.LONG)).isEqualTo(1000L);
    assertThat(TypedValues.parse("-9223372036854775808", DataType.LONG)).isEqualTo(Long.MIN_VALUE);
    assertThat(TypedValues.parse("9007199254740993.0", DataType.LONG)).isEqualTo(9007199254740993L);
    assertThat(TypedValues.parse("0e999999999", DataType.LONG)).isEqualTo(0L);
    assertThat(TypedValues.parse(".5e1", DataType.LONG)).isEqualTo(5L);

    assertThat(TypedValues.parse("0.1", DataType.DOUBLE)).isEqualTo(0.1);
    assertThat(TypedValues.parse("-2e-3", DataType.DOUBLE)).isEqualTo(-0.002);
    assertThat(TypedValues.parse("5.", DataType.DOUBLE)).isEqualTo(5.0);
    assertThat(TypedValues.parse("NaN", DataType.DOUBLE)).isEqualTo(Double.NaN);
    assertThat(TypedValues.parse("-infinity", DataType.DOUBLE)).isEqualTo(Double.NEGATIVE_INFINITY);
    assertThat(TypedValues.parse("inf", DataType.DOUBLE)).isEqualTo(Double.POSITIVE_INFINITY);

    assertThat(TypedValues.parse("TRUE", DataType.BOOLEAN)).isEqualTo(true);
    assertThat(TypedValues.parse(" false", DataType.BOOLEAN)).isEqualTo(false);

    // 2001-01-01T00:47:00Z is 978310020 seconds after the epoch.
    assertThat(TypedValues.parse("2001-01-01 00:47:00", DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.parse("2001-01-01T00:47:00Z", DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.parse("2001-01-01T01:47:00+01:00", DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.parse("2001/01/01 00:47", DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.parse("2001-01-01", DataType.TIMESTAMP)).isEqualTo(978_307_200_000_000L);

    assertThat(TypedValues.parse(" O'Hare, \"Chicago\" ", DataType.STRING)).isEqualTo(" O'Hare, \"Chicago\" ");
    assertThat(TypedValues.parse("", DataType.STRING)).isEqualTo("");
    assertThat(TypedValues.parse("[1, 2]", DataType.listOf(DataType.LONG))).isEqualTo(List.of(1L, 2L));
    assertThat(TypedValues.parse("{\"3\": 0.5}", DataType.mapOf(DataType.LONG, DataType.DOUBLE))).isEqualTo(Map.of(3L, 0.5));
  }

  @Test
  void blankTextIsNullForEveryTypeButString() {
    for (DataType t : List.of(DataType.LONG, DataType.DOUBLE, DataType.BOOLEAN, DataType.TIMESTAMP, DataType.listOf(DataType.LONG))) {
      assertThat(TypedValues.parse("", t)).isNull();
      assertThat(TypedValues.parse("  ", t)).isNull();
    }
    assertThat(TypedValues.parse(null, DataType.STRING)).isNull();
    assertThat(TypedValues.parse("  ", DataType.STRING)).isEqualTo("  ");
  }

  @Test
  void textThatIsNotAValueIsRejectedWithAReason() {
    assertThatThrownBy(() -> TypedValues.parse("late", DataType.LONG)).isInstanceOf(ValueFormatException.class)
        .hasMessage("expected bigint, got 'late'");
    assertThatThrownBy(() -> TypedValues.parse("1.5", DataType.LONG)).hasMessage("expected bigint, got '1.5'");
    assertThatThrownBy(() -> TypedValues.parse("0x10", DataType.LONG)).hasMessage("expected bigint, got '0x10'");
    assertThatThrownBy(() -> TypedValues.parse("1_000", DataType.LONG)).hasMessage("expected bigint, got '1_000'");
    assertThatThrownBy(() -> TypedValues.parse("9223372036854775808", DataType.LONG))
        .hasMessage("expected bigint, got '9223372036854775808' (out of range)");
    assertThatThrownBy(() -> TypedValues.parse("1e999999999", DataType.LONG)).hasMessageContaining("out of range");
    assertThatThrownBy(() -> TypedValues.parse("1d", DataType.DOUBLE)).hasMessage("expected double, got '1d'");
    assertThatThrownBy(() -> TypedValues.parse("0x1p3", DataType.DOUBLE)).hasMessage("expected double, got '0x1p3'");
    assertThatThrownBy(() -> TypedValues.parse("yes", DataType.BOOLEAN)).hasMessage("expected boolean, got 'yes'");
    assertThatThrownBy(() -> TypedValues.parse("yesterday", DataType.TIMESTAMP)).hasMessage("expected timestamp, got 'yesterday'");
    assertThatThrownBy(() -> TypedValues.parse("978310020000000", DataType.TIMESTAMP))
        .hasMessage("expected timestamp, got '978310020000000'");
    assertThatThrownBy(() -> TypedValues.parse("x".repeat(100), DataType.LONG))
        .hasMessage("expected bigint, got '" + "x".repeat(57) + "...'");
  }

  @Test
  void timestampsOutsideTheTimeDomainAreRejectedWithItsMessage() {
    String bounds = "Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)";
    assertThatThrownBy(() -> TypedValues.parse("0000-12-31T23:59:59Z", DataType.TIMESTAMP))
        .hasMessage("Cannot use timestamp 0000-12-31T23:59:59Z: " + bounds);
    assertThatThrownBy(() -> TypedValues.parse("+10000-01-01T00:00:00Z", DataType.TIMESTAMP)).hasMessageEndingWith(bounds);
    assertThatThrownBy(() -> TypedValues.parse("+999999999-12-31T23:59:59", DataType.TIMESTAMP)).hasMessageEndingWith(bounds);
    assertThat(TypedValues.parse("0001-01-01T00:00:00Z", DataType.TIMESTAMP)).isEqualTo(-62_135_596_800_000_000L);
    assertThatThrownBy(() -> TypedValues.fromJson(JSON.getNodeFactory().numberNode(Long.MAX_VALUE), DataType.TIMESTAMP))
        .hasMessageEndingWith(bounds);
    assertThatThrownBy(() -> TypedValues.fromObject(Instant.parse("+20000-01-01T00:00:00Z"), DataType.TIMESTAMP))
        .hasMessageEndingWith(bounds);
  }

  @Test
  void jsonOfEachType() throws Exception {
    assertThat(TypedValues.fromJson(json("12"), DataType.LONG)).isEqualTo(12L);
    assertThat(TypedValues.fromJson(json("\"12\""), DataType.LONG)).isEqualTo(12L);
    assertThat(TypedValues.fromJson(json("12.0"), DataType.LONG)).isEqualTo(12L);
    // A JSON number with a fraction is a double first (as in JavaScript and Python's json): 2^53 + 1 rounds to 2^53.
    assertThat(TypedValues.fromJson(json("9007199254740993.0"), DataType.LONG)).isEqualTo(1L << 53);
    assertThat(TypedValues.fromJson(json("9007199254740993"), DataType.LONG)).isEqualTo((1L << 53) + 1);
    assertThat(TypedValues.fromJson(json("-0.0"), DataType.DOUBLE)).isEqualTo(-0.0);
    assertThat(TypedValues.fromJson(json("12"), DataType.DOUBLE)).isEqualTo(12.0);
    assertThat(TypedValues.fromJson(json("0.1"), DataType.DOUBLE)).isEqualTo(0.1);
    assertThat(TypedValues.fromJson(json("\"NaN\""), DataType.DOUBLE)).isEqualTo(Double.NaN);
    assertThat(TypedValues.fromJson(json("\"\""), DataType.DOUBLE)).isNull();
    assertThat(TypedValues.fromJson(json("\"\""), DataType.STRING)).isEqualTo("");
    assertThat(TypedValues.fromJson(json("null"), DataType.STRING)).isNull();
    assertThat(TypedValues.fromJson(json("true"), DataType.BOOLEAN)).isEqualTo(true);
    assertThat(TypedValues.fromJson(json("978310020000000"), DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.fromJson(json("\"2001-01-01T00:47:00Z\""), DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.fromJson(json("[1, null, \"3\"]"), DataType.listOf(DataType.LONG)))
        .isEqualTo(java.util.Arrays.asList(1L, null, 3L));
    assertThat(TypedValues.fromJson(json("{\"a\": [true]}"), DataType.mapOf(DataType.STRING, DataType.listOf(DataType.BOOLEAN))))
        .isEqualTo(Map.of("a", List.of(true)));
  }

  @Test
  void jsonThatIsNotAValueIsRejected() throws Exception {
    assertThatThrownBy(() -> TypedValues.fromJson(json("1.5"), DataType.LONG)).hasMessage("expected bigint, got 1.5");
    assertThatThrownBy(() -> TypedValues.fromJson(json("12345678901234567890"), DataType.LONG))
        .hasMessage("expected bigint, got 12345678901234567890 (out of range)");
    assertThatThrownBy(() -> TypedValues.fromJson(json("12"), DataType.STRING)).hasMessage("expected string, got a number (12)");
    assertThatThrownBy(() -> TypedValues.fromJson(json("1"), DataType.BOOLEAN)).hasMessage("expected boolean, got a number (1)");
    assertThatThrownBy(() -> TypedValues.fromJson(json("true"), DataType.STRING)).hasMessage("expected string, got true");
    assertThatThrownBy(() -> TypedValues.fromJson(json("[1]"), DataType.LONG)).hasMessage("expected bigint, got a JSON array");
    assertThatThrownBy(() -> TypedValues.fromJson(json("{}"), DataType.STRING)).hasMessage("expected string, got a JSON object");
    assertThatThrownBy(() -> TypedValues.fromJson(json("1.5"), DataType.TIMESTAMP)).hasMessage("expected timestamp, got 1.5");
  }

  @Test
  void javaValuesFollowTheJsonRules() {
    assertThat(TypedValues.fromObject(3, DataType.LONG)).isEqualTo(3L);
    assertThat(TypedValues.fromObject(3, DataType.DOUBLE)).isEqualTo(3.0);
    assertThat(TypedValues.fromObject(1.5f, DataType.DOUBLE)).isEqualTo(1.5);
    assertThat(TypedValues.fromObject(new BigDecimal("7.00"), DataType.LONG)).isEqualTo(7L);
    assertThat(TypedValues.fromObject(BigInteger.TEN, DataType.LONG)).isEqualTo(10L);
    assertThat(TypedValues.fromObject("12", DataType.LONG)).isEqualTo(12L);
    assertThat(TypedValues.fromObject(LocalDate.of(2001, 1, 1), DataType.TIMESTAMP)).isEqualTo(978_307_200_000_000L);
    assertThat(TypedValues.fromObject(LocalDateTime.of(2001, 1, 1, 0, 47), DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.fromObject(Instant.parse("2001-01-01T00:47:00Z"), DataType.TIMESTAMP)).isEqualTo(978_310_020_000_000L);
    assertThat(TypedValues.fromObject(java.sql.Timestamp.from(Instant.parse("2001-01-01T00:47:00Z")), DataType.TIMESTAMP))
        .isEqualTo(978_310_020_000_000L);
    assertThatThrownBy(() -> TypedValues.fromObject(5L, DataType.STRING)).hasMessage("expected string, got a number (5)");
    assertThatThrownBy(() -> TypedValues.fromObject(new byte[] {1}, DataType.STRING)).hasMessageStartingWith("expected string, got a byte[]");
  }

  @Test
  void writtenTextAndJsonReadBackToTheSameValue() throws Exception {
    Random rnd = new Random(3);
    for (int i = 0; i < 5000; i++) {
      long l = rnd.nextInt(3) == 0 ? rnd.nextLong() : rnd.nextInt(1000) - 500;
      double d = switch (rnd.nextInt(5)) {
        case 0 -> Double.longBitsToDouble(rnd.nextLong());
        case 1 -> new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, -0.0, Double.MIN_VALUE,
            Double.MAX_VALUE}[rnd.nextInt(6)];
        default -> (rnd.nextDouble() - 0.5) * Math.pow(10, rnd.nextInt(40) - 20);
      };
      long t = -62_135_596_800_000_000L + (long) (rnd.nextDouble() * 315_537_897_600_000_000.0);
      assertThat(TypedValues.parse(TypedValues.format(l, DataType.LONG), DataType.LONG)).isEqualTo(l);
      assertThat(TypedValues.parse(TypedValues.format(d, DataType.DOUBLE), DataType.DOUBLE)).isEqualTo(d);
      assertThat(TypedValues.parse(TypedValues.format(t, DataType.TIMESTAMP), DataType.TIMESTAMP)).isEqualTo(t);
      assertThat(fromWritten(d, DataType.DOUBLE)).isEqualTo(d);
      assertThat(fromWritten(l, DataType.LONG)).isEqualTo(l);
      assertThat(fromWritten(t, DataType.TIMESTAMP)).isEqualTo(t);
    }
    DataType nested = DataType.mapOf(DataType.TIMESTAMP, DataType.listOf(DataType.DOUBLE));
    Object value = Map.of(978_310_020_000_000L, java.util.Arrays.asList(1.5, null, Double.NaN));
    assertThat(TypedValues.parse(TypedValues.format(value, nested), nested)).isEqualTo(value);
    assertThat(TypedValues.format(978_310_020_000_000L, DataType.TIMESTAMP)).isEqualTo("2001-01-01T00:47:00Z");
    assertThat(TypedValues.format(Double.NaN, DataType.DOUBLE)).isEqualTo("NaN");
  }

  private static Object fromWritten(Object value, DataType type) throws Exception {
    StringWriter out = new StringWriter();
    try (var g = JSON.getFactory().createGenerator(out)) {
      TypedValues.writeJson(g, value, type);
    }
    return TypedValues.fromJson(json(out.toString()), type);
  }
}
