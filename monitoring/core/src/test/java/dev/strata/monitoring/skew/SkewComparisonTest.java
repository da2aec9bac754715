package dev.strata.monitoring.skew;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.types.DataType;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SkewComparisonTest {
  final SkewComparison c = SkewComparison.withDefaults();

  @Test
  void integersAndTextAreExactDoublesRelative() {
    assertThat(c.matches(3L, 3L)).isTrue();
    assertThat(c.matches(3L, 4L)).isFalse();
    assertThat(c.matches(Long.MAX_VALUE, Long.MAX_VALUE - 1)).isFalse(); // not through doubles
    assertThat(c.matches("ORD", "ORD")).isTrue();
    assertThat(c.matches("ORD", "ord")).isFalse();
    assertThat(c.matches(true, false)).isFalse();
    assertThat(c.matches(1000.0, 1000.0 * (1 + 5e-10))).isTrue();
    assertThat(c.matches(1000.0, 1000.0 * (1 + 5e-9))).isFalse();
    assertThat(c.matches(0.0, 1e-300)).isFalse();
    assertThat(c.matches(0.0, -0.0)).isTrue();
    assertThat(c.matches(Double.NaN, Double.NaN)).isTrue();
    assertThat(c.matches(Double.NaN, 1.0)).isFalse();
    assertThat(c.matches(Double.POSITIVE_INFINITY, Double.POSITIVE_INFINITY)).isTrue();
    assertThat(c.matches(Double.POSITIVE_INFINITY, Double.MAX_VALUE)).isFalse();
    assertThat(c.matches(3L, 3.0)).isTrue(); // a JSON writer may print 3.0 as 3
    assertThat(c.matches(null, null)).isTrue();
    assertThat(c.matches(null, 0L)).isFalse();
    assertThat(c.matches(List.of(1.0, 2.0), List.of(1.0, 2.0 + 1e-12))).isTrue();
    assertThat(c.matches(List.of(1L, 2L), List.of(1L))).isFalse();
    assertThat(c.matches(Map.of("a", 1L), Map.of("a", 2L))).isFalse();
    assertThat(SkewComparison.relative(0).matches(1.0, Math.nextUp(1.0))).isFalse();
    assertThatThrownBy(() -> SkewComparison.relative(-1)).hasMessageStartingWith("Cannot compare with relative tolerance -1.0");
  }

  @Test
  void counterCountsAndKeepsTheFirstExamples() {
    FeatureSkew.Counter counter = new FeatureSkew.Counter("f", c);
    for (int i = 0; i < 10; i++) {
      counter.compare((double) i, i % 2 == 0 ? (double) i : i + 0.5, "r" + i, "{\"k\":1}", i);
    }
    counter.notServed();
    counter.compare(null, 1.0, "n", "{}", 0);
    FeatureSkew s = counter.build();
    assertThat(s.rowsCompared()).isEqualTo(11);
    assertThat(s.rowsNotServed()).isEqualTo(1);
    assertThat(s.mismatches()).isEqualTo(6);
    assertThat(s.mismatchShare()).isEqualTo(6.0 / 11);
    assertThat(s.meanAbsDiff()).isEqualTo(2.5 / 10);
    assertThat(s.maxAbsDiff()).isEqualTo(0.5);
    assertThat(s.examples()).extracting(FeatureSkew.Example::requestId).containsExactly("r1", "r3", "r5", "r7", "r9");
    assertThat(s.examples().get(0).served()).isEqualTo("1.0");
    assertThat(s.examples().get(0).offline()).isEqualTo("1.5");
  }

  @Test
  void loggedJsonIsTypedByTheFeature() throws IOException {
    ObjectMapper m = new ObjectMapper();
    assertThat(LoggedValues.read(m.readTree("3"), DataType.LONG)).isEqualTo(3L);
    assertThat(LoggedValues.read(m.readTree("3"), DataType.DOUBLE)).isEqualTo(3.0);
    assertThat(LoggedValues.read(m.readTree("\"NaN\""), DataType.DOUBLE)).isEqualTo(Double.NaN);
    // A JSON string is read by the text rules everywhere (TypedValues): "3" is 3 for a bigint.
    assertThat(LoggedValues.read(m.readTree("\"3\""), DataType.LONG)).isEqualTo(3L);
    // A value that is not one of its type stays its JSON text: a mismatch, not a failure.
    assertThat(LoggedValues.read(m.readTree("\"three\""), DataType.LONG)).isEqualTo("\"three\"");
    assertThat(LoggedValues.read(m.readTree("1.5"), DataType.LONG)).isEqualTo("1.5");
    assertThat(LoggedValues.read(m.readTree("null"), DataType.STRING)).isNull();
    assertThat(LoggedValues.read(m.readTree("\"2001-01-20T00:00:00Z\""), DataType.TIMESTAMP)).isEqualTo(979948800000000L);
    assertThat(LoggedValues.read(m.readTree("[1, 2]"), DataType.listOf(DataType.LONG))).isEqualTo(List.of(1L, 2L));
  }
}
