package dev.strata.dsl.expr;

import static dev.strata.dsl.expr.ExprTestSupport.compile;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.types.DataType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ExprJsonTest {
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static String json(String text) {
    return ExprJson.toJson(compile(text)).toString();
  }

  /** Round trip through the tree and through JSON text, as a stored plan does. */
  private static void assertRoundTrip(TypedExpr e) throws Exception {
    JsonNode node = ExprJson.toJson(e);
    assertThat(ExprJson.fromJson(node)).isEqualTo(e);
    JsonNode reread = MAPPER.readTree(MAPPER.writeValueAsString(node));
    assertThat(ExprJson.fromJson(reread)).isEqualTo(e);
  }

  @Test
  void exampleForms() {
    assertThat(json("distance > 0"))
        .isEqualTo(
            "{\"op\":\"gt\",\"type\":\"boolean\",\"args\":[{\"column\":\"distance\",\"type\":\"bigint\"},"
                + "{\"literal\":0,\"type\":\"bigint\"}]}");
    assertThat(json("-delay")).isEqualTo("{\"op\":\"neg\",\"type\":\"bigint\",\"args\":[{\"column\":\"delay\",\"type\":\"bigint\"}]}");
    assertThat(json("COALESCE(ratio, 0.5)"))
        .isEqualTo(
            "{\"op\":\"call\",\"function\":\"coalesce\",\"type\":\"double\",\"args\":[{\"column\":\"ratio\",\"type\":\"double\"},"
                + "{\"literal\":0.5,\"type\":\"double\"}]}");
    assertThat(json("CASE origin WHEN 'SFO' THEN 1 ELSE 0 END"))
        .isEqualTo(
            "{\"op\":\"case\",\"type\":\"bigint\",\"operand\":{\"column\":\"origin\",\"type\":\"string\"},"
                + "\"branches\":[{\"when\":{\"literal\":\"SFO\",\"type\":\"string\"},\"then\":{\"literal\":1,\"type\":\"bigint\"}}],"
                + "\"else\":{\"literal\":0,\"type\":\"bigint\"}}");
    assertThat(json("date > TIMESTAMP '2001-01-01T00:47:00Z'"))
        .contains("{\"literal\":\"2001-01-01T00:47:00Z\",\"type\":\"timestamp\"}");
    assertThat(json("COALESCE(origin, NULL)")).contains("{\"literal\":null,\"type\":\"string\"}");
    assertThat(json("delay NOT IN (1, 2)")).startsWith("{\"op\":\"not_in\",\"type\":\"boolean\",\"args\":[{\"column\":\"delay\"");
    assertThat(json("CAST(delay AS double)"))
        .isEqualTo("{\"op\":\"cast\",\"type\":\"double\",\"args\":[{\"column\":\"delay\",\"type\":\"bigint\"}]}");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "15",
        "-1.5e-7",
        "-0.0",
        "'it''s'",
        "TRUE",
        "NULL",
        "CAST(NULL AS timestamp)",
        "TIMESTAMP '2001-01-01T00:47:00.123456Z'",
        "origin_delays.avg_delay_1h",
        "`weird name`",
        "tags",
        "NOT flag",
        "-ratio",
        "delay IS NULL",
        "delay IS NOT NULL",
        "delay + distance * 2 - 1 / 3 % 2",
        "delay = 1 OR delay <> 2 AND delay < 3 OR delay <= 4 OR delay > 5 OR delay >= 6",
        "origin || destination",
        "delay IN (1, 2, NULL)",
        "delay NOT IN (1)",
        "delay BETWEEN 1 AND 2.5",
        "delay NOT BETWEEN 1 AND 2",
        "origin LIKE 'S%'",
        "origin NOT LIKE destination",
        "CASE WHEN flag THEN 1 WHEN delay > 2 THEN 2.5 END",
        "CASE origin WHEN 'SFO' THEN 'west' ELSE 'other' END",
        "CAST(origin AS bigint)",
        "IF(flag, NULLIF(delay, 0), GREATEST(delay, distance, 3))",
        "ROUND(ratio, -2) + FLOOR(ratio) + CEIL(ratio) + SQRT(ratio) + LN(ratio) + LOG10(ratio) + EXP(ratio)"
            + " + POWER(ratio, 2) + SIGN(ratio) + ABS(ratio) + LEAST(ratio, 1)",
        "CONCAT(LOWER(origin), UPPER(origin), TRIM(origin), SUBSTR(origin, 1, 2))",
        "LENGTH(origin) > 1 AND STARTS_WITH(origin, 'S') AND ENDS_WITH(origin, 'O') AND CONTAINS(origin, 'F')",
        "HOUR(date) + MINUTE(date) + DAY_OF_WEEK(date) + DAY_OF_MONTH(date) + MONTH(date) + YEAR(date) + EPOCH_SECONDS(date)",
        "DATE_TRUNC('hour', date)",
      })
  void roundTripsEveryNodeKind(String text) throws Exception {
    assertRoundTrip(compile(text));
  }

  @Test
  void nonFiniteDoublesAreText() throws Exception {
    for (double d : new double[] {Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY}) {
      Literal l = Literal.of(d);
      assertThat(ExprJson.toJson(l).get("literal").isTextual()).isTrue();
      assertRoundTrip(l);
    }
    assertThat(Literal.of(Double.NaN).toSql()).isEqualTo("CAST('NaN' AS DOUBLE)");
  }

  @Test
  void extremeLongsSurvive() throws Exception {
    assertRoundTrip(Literal.of(Long.MIN_VALUE));
    assertRoundTrip(Literal.of(Long.MAX_VALUE));
    assertRoundTrip(Literal.of(Double.MIN_VALUE));
  }

  @Test
  void rejectsMalformedJson() throws Exception {
    assertThatThrownBy(() -> ExprJson.fromJson(MAPPER.readTree("{\"op\":\"frob\",\"type\":\"bigint\",\"args\":[]}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot read expression: unknown op 'frob'");
    assertThatThrownBy(() -> ExprJson.fromJson(MAPPER.readTree("{\"literal\":\"x\",\"type\":\"bigint\"}")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot read expression: literal \"x\" is not a bigint");
    assertThatThrownBy(() -> ExprJson.fromJson(MAPPER.readTree("{\"column\":\"x\",\"type\":\"blob\"}")))
        .hasMessage("Cannot read expression: unknown type 'blob'");
    // A stored type that disagrees with the operands is refused rather than trusted.
    assertThatThrownBy(
            () -> ExprJson.fromJson(MAPPER.readTree(
                "{\"op\":\"add\",\"type\":\"bigint\",\"args\":[{\"literal\":1,\"type\":\"bigint\"},{\"literal\":1.5,\"type\":\"double\"}]}")))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(
            () -> ExprJson.fromJson(MAPPER.readTree(
                "{\"op\":\"not\",\"type\":\"bigint\",\"args\":[{\"literal\":true,\"type\":\"boolean\"}]}")))
        .hasMessage("Cannot read expression: not has type boolean, not bigint");
  }

  @Test
  void rejectsIllTypedTrees() {
    assertThatThrownBy(
            () -> ExprJson.fromJson(MAPPER.readTree(
                "{\"op\":\"add\",\"type\":\"double\",\"args\":[{\"literal\":\"a\",\"type\":\"string\"},{\"literal\":1,\"type\":\"bigint\"}]}")))
        .hasMessage("Cannot create add: it does not apply to string and bigint");
    assertThatThrownBy(
            () -> ExprJson.fromJson(MAPPER.readTree(
                "{\"op\":\"not\",\"type\":\"boolean\",\"args\":[{\"literal\":1,\"type\":\"bigint\"}]}")))
        .hasMessage("Cannot create NOT: operand is bigint, not boolean");
  }

  @Test
  void typeNamesAreSqlNames() {
    assertThat(ExprJson.toJson(ExprTestSupport.col("tags")).get("type").asText()).isEqualTo("array<string>");
    assertThat(ExprJson.toJson(Literal.nullOf(DataType.TIMESTAMP)).get("type").asText()).isEqualTo("timestamp");
  }
}
