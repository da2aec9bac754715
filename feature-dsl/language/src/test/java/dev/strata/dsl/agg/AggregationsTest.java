package dev.strata.dsl.agg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.types.DataType;
import java.math.BigDecimal;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class AggregationsTest {

  private static DataType output(AggregationFunction fn, List<Object> args, DataType input) {
    AggregationResolution resolution = Aggregations.resolve(fn, args, input);
    assertThat(resolution.isValid()).as(resolution.toString()).isTrue();
    assertThat(resolution.error()).isNull();
    assertThat(Aggregations.create(fn, args, input).outputType()).isEqualTo(resolution.outputType());
    return resolution.outputType();
  }

  private static String error(AggregationFunction fn, List<Object> args, DataType input) {
    AggregationResolution resolution = Aggregations.resolve(fn, args, input);
    assertThat(resolution.isValid()).as(resolution.toString()).isFalse();
    assertThat(resolution.outputType()).isNull();
    // create fails with the same message
    assertThatThrownBy(() -> Aggregations.create(fn, args, input))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(resolution.error());
    return resolution.error();
  }

  @Test
  void outputTypes() {
    assertThat(output(AggregationFunction.COUNT, List.of(), null)).isEqualTo(DataType.LONG);
    assertThat(output(AggregationFunction.COUNT, List.of(), DataType.listOf(DataType.STRING))).isEqualTo(DataType.LONG);
    assertThat(output(AggregationFunction.SUM, List.of(), DataType.LONG)).isEqualTo(DataType.LONG);
    assertThat(output(AggregationFunction.SUM, List.of(), DataType.DOUBLE)).isEqualTo(DataType.DOUBLE);
    assertThat(output(AggregationFunction.AVG, List.of(), DataType.LONG)).isEqualTo(DataType.DOUBLE);
    assertThat(output(AggregationFunction.VARIANCE, List.of(), DataType.LONG)).isEqualTo(DataType.DOUBLE);
    assertThat(output(AggregationFunction.STDDEV, List.of(), DataType.DOUBLE)).isEqualTo(DataType.DOUBLE);
    assertThat(output(AggregationFunction.MIN, List.of(), DataType.TIMESTAMP)).isEqualTo(DataType.TIMESTAMP);
    assertThat(output(AggregationFunction.MAX, List.of(), DataType.STRING)).isEqualTo(DataType.STRING);
    assertThat(output(AggregationFunction.FIRST, List.of(), DataType.BOOLEAN)).isEqualTo(DataType.BOOLEAN);
    assertThat(output(AggregationFunction.LAST_K, List.of(3), DataType.STRING)).isEqualTo(DataType.listOf(DataType.STRING));
    assertThat(output(AggregationFunction.TOP_K, List.of(3L), DataType.DOUBLE)).isEqualTo(DataType.listOf(DataType.DOUBLE));
    assertThat(output(AggregationFunction.COUNT_DISTINCT, List.of(), DataType.STRING)).isEqualTo(DataType.LONG);
    assertThat(output(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(), DataType.STRING)).isEqualTo(DataType.LONG);
    assertThat(output(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(14), DataType.LONG)).isEqualTo(DataType.LONG);
    assertThat(output(AggregationFunction.APPROX_PERCENTILE, List.of(0.9), DataType.LONG)).isEqualTo(DataType.DOUBLE);
    assertThat(output(AggregationFunction.APPROX_PERCENTILE, List.of(0.5, new BigDecimal("0.99")), DataType.DOUBLE))
        .isEqualTo(DataType.listOf(DataType.DOUBLE));
    assertThat(output(AggregationFunction.APPROX_TOP_K, List.of(5), DataType.STRING))
        .isEqualTo(DataType.mapOf(DataType.STRING, DataType.LONG));
    assertThat(output(AggregationFunction.HISTOGRAM, List.of(), DataType.LONG))
        .isEqualTo(DataType.mapOf(DataType.LONG, DataType.LONG));
    // YAML may give an integral double
    assertThat(output(AggregationFunction.FIRST_K, List.of(2.0), DataType.LONG)).isEqualTo(DataType.listOf(DataType.LONG));
  }

  @Test
  void inputTypeErrors() {
    assertThat(error(AggregationFunction.AVG, List.of(), DataType.STRING)).isEqualTo("avg takes a numeric input, got string");
    assertThat(error(AggregationFunction.SUM, List.of(), DataType.TIMESTAMP)).isEqualTo("sum takes a numeric input, got timestamp");
    assertThat(error(AggregationFunction.APPROX_PERCENTILE, List.of(0.5), DataType.BOOLEAN))
        .isEqualTo("approx_percentile takes a numeric input, got boolean");
    assertThat(error(AggregationFunction.MIN, List.of(), DataType.BOOLEAN))
        .isEqualTo("min takes an orderable input (bigint, double, string or timestamp), got boolean");
    assertThat(error(AggregationFunction.TOP_K, List.of(3), DataType.listOf(DataType.LONG)))
        .isEqualTo("top_k takes an orderable input (bigint, double, string or timestamp), got array<bigint>");
    assertThat(error(AggregationFunction.HISTOGRAM, List.of(), DataType.mapOf(DataType.STRING, DataType.LONG)))
        .isEqualTo("histogram takes a primitive input (boolean, bigint, double, string or timestamp), got map<string,bigint>");
    assertThat(error(AggregationFunction.VARIANCE, List.of(), null))
        .isEqualTo("variance takes an input column or expression, e.g. input: delay");
  }

  @Test
  void argErrors() {
    String percentile = "approx_percentile takes one or more percentiles between 0 and 1 as args, e.g. args: [0.5, 0.9]";
    assertThat(error(AggregationFunction.APPROX_PERCENTILE, List.of(), DataType.DOUBLE)).isEqualTo(percentile);
    assertThat(error(AggregationFunction.APPROX_PERCENTILE, List.of(1.5), DataType.DOUBLE)).isEqualTo(percentile);
    assertThat(error(AggregationFunction.APPROX_PERCENTILE, List.of(0.5, -0.1), DataType.DOUBLE)).isEqualTo(percentile);
    assertThat(error(AggregationFunction.APPROX_PERCENTILE, List.of("p90"), DataType.DOUBLE)).isEqualTo(percentile);
    assertThat(error(AggregationFunction.APPROX_PERCENTILE, List.of(Double.NaN), DataType.DOUBLE)).isEqualTo(percentile);
    String firstK = "first_k takes one integer n between 1 and 10000 as args, e.g. args: [5]";
    assertThat(error(AggregationFunction.FIRST_K, List.of(), DataType.LONG)).isEqualTo(firstK);
    assertThat(error(AggregationFunction.FIRST_K, List.of(0), DataType.LONG)).isEqualTo(firstK);
    assertThat(error(AggregationFunction.FIRST_K, List.of(2.5), DataType.LONG)).isEqualTo(firstK);
    assertThat(error(AggregationFunction.FIRST_K, List.of(3, 4), DataType.LONG)).isEqualTo(firstK);
    assertThat(error(AggregationFunction.FIRST_K, List.of(10_001), DataType.LONG)).isEqualTo(firstK);
    assertThat(error(AggregationFunction.FIRST_K, List.of("5"), DataType.LONG)).isEqualTo(firstK);
    assertThat(error(AggregationFunction.APPROX_TOP_K, List.of(5000), DataType.LONG))
        .isEqualTo("approx_top_k takes one integer n between 1 and 1000 as args, e.g. args: [10]");
    assertThat(error(AggregationFunction.APPROX_COUNT_DISTINCT, List.of(30), DataType.LONG))
        .isEqualTo("approx_count_distinct takes an optional lgK between 4 and 21 as args, e.g. args: [12]");
    assertThat(error(AggregationFunction.SUM, List.of(3), DataType.LONG)).isEqualTo("sum takes no args, got [3]");
    assertThat(error(AggregationFunction.COUNT, List.of("x"), null)).isEqualTo("count takes no args, got [x]");
    assertThat(Aggregations.resolve(AggregationFunction.COUNT, null, null).isValid()).isTrue();
  }

  @Test
  void functionNames() {
    assertThat(AggregationFunction.APPROX_PERCENTILE.yamlName()).isEqualTo("approx_percentile");
    assertThat(AggregationFunction.fromName("approx_percentile")).contains(AggregationFunction.APPROX_PERCENTILE);
    assertThat(AggregationFunction.fromName(" Last_K ")).contains(AggregationFunction.LAST_K);
    assertThat(AggregationFunction.fromName("median")).isEmpty();
    assertThat(AggregationFunction.fromName(null)).isEmpty();
    for (AggregationFunction fn : AggregationFunction.values()) {
      assertThat(AggregationFunction.fromName(fn.yamlName())).contains(fn);
      assertThat(fn.yamlName()).matches("[a-z]+(_[a-z]+)*");
      assertThat(fn.takesInput()).isEqualTo(fn != AggregationFunction.COUNT);
    }
    assertThat(Arrays.stream(AggregationFunction.values()).filter(AggregationFunction::isApproximate))
        .containsExactly(
            AggregationFunction.APPROX_COUNT_DISTINCT, AggregationFunction.APPROX_PERCENTILE, AggregationFunction.APPROX_TOP_K);
  }
}
