package dev.strata.monitoring.profile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ColumnProfileTest {
  @Test
  void numericProfileHasExactMomentsAndSketchQuantiles() {
    double[] values = new Random(7).doubles(50_000).map(x -> 1e6 + 100 * x).toArray();
    ColumnProfileBuilder b = ColumnProfile.numeric("x");
    for (double v : values) {
      b.add(v);
    }
    b.add(Double.NaN).addNull();
    ColumnProfile p = b.build();
    assertThat(p.count()).isEqualTo(50_002);
    assertThat(p.nulls()).isEqualTo(2);
    assertThat(p.min()).isEqualTo(Arrays.stream(values).min().getAsDouble());
    assertThat(p.max()).isEqualTo(Arrays.stream(values).max().getAsDouble());
    double mean = Arrays.stream(values).average().getAsDouble();
    double var = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).sum() / (values.length - 1);
    assertThat(p.mean()).isCloseTo(mean, offset(1e-8));
    // a large offset (1e6) would ruin Σx² formulas; Welford keeps ~1e-10 relative
    assertThat(p.stddev()).isCloseTo(Math.sqrt(var), offset(1e-8));
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    double eps = p.quantileSketch().getNormalizedRankError(false);
    double median = p.quantile(0.5);
    int rank = Arrays.binarySearch(sorted, median);
    assertThat(Math.abs((double) Math.abs(rank) / sorted.length - 0.5)).isLessThanOrEqualTo(eps);
  }

  @Test
  void mergedDailyProfilesEqualTheWeeklyProfile() {
    Random r = new Random(11);
    ColumnProfileBuilder week = ColumnProfile.numeric("delay");
    ColumnProfile merged = null;
    for (int day = 0; day < 7; day++) {
      ColumnProfileBuilder daily = ColumnProfile.numeric("delay");
      for (int i = 0; i < 3_000 + day * 100; i++) {
        double v = i % 50 == 0 ? Double.NaN : r.nextGaussian() * (day + 1) + day * 10;
        daily.add(v);
        week.add(v);
      }
      ColumnProfile d = daily.build();
      merged = merged == null ? d : merged.merge(d);
    }
    ColumnProfile whole = week.build();
    assertThat(merged.count()).isEqualTo(whole.count());
    assertThat(merged.nulls()).isEqualTo(whole.nulls());
    assertThat(merged.min()).isEqualTo(whole.min());
    assertThat(merged.max()).isEqualTo(whole.max());
    assertThat(merged.mean()).isCloseTo(whole.mean(), offset(1e-10));
    assertThat(merged.stddev()).isCloseTo(whole.stddev(), offset(1e-10));
    assertThat(merged.quantileSketch().getN()).isEqualTo(whole.nonNull());
    double eps = merged.quantileSketch().getNormalizedRankError(false);
    assertThat(merged.quantileSketch().getRank(whole.quantile(0.5),
        org.apache.datasketches.quantilescommon.QuantileSearchCriteria.INCLUSIVE)).isCloseTo(0.5, offset(2 * eps));
  }

  @Test
  void emptyProfilesMergeWithoutPoisoningMinMax() {
    ColumnProfile empty = ColumnProfile.numeric("x").addNull().build();
    ColumnProfile some = ColumnProfile.numeric("x").add(3).add(5).build();
    ColumnProfile m = empty.merge(some);
    assertThat(m.min()).isEqualTo(3.0);
    assertThat(m.max()).isEqualTo(5.0);
    assertThat(m.mean()).isEqualTo(4.0);
    assertThat(m.nulls()).isEqualTo(1);
    assertThat(empty.mean()).isNaN();
    assertThat(empty.stddev()).isNaN();
  }

  @Test
  void categoricalProfileCountsFrequentItemsAndMerges() {
    ColumnProfile a = ColumnProfile.categorical("origin").add("ORD").add("ORD").add("ATL").add((String) null).build();
    ColumnProfile b = ColumnProfile.categorical("origin").add("ATL").add("LAX").add("ORD").build();
    ColumnProfile m = a.merge(b);
    assertThat(m.count()).isEqualTo(7);
    assertThat(m.nulls()).isEqualTo(1);
    assertThat(m.topItems(2)).containsExactly(java.util.Map.entry("ORD", 3L), java.util.Map.entry("ATL", 2L));
    assertThat(m.mean()).isNaN();
    assertThatThrownBy(m::quantileSketch).hasMessageStartingWith("Cannot get quantile sketch of column 'origin'");
    assertThatThrownBy(() -> a.merge(ColumnProfile.numeric("origin").build()))
        .hasMessageStartingWith("Cannot merge profiles");
  }

  @Test
  void serializationRoundTripsAndIsCompact() {
    ColumnProfileBuilder b = ColumnProfile.numeric("distance");
    new Random(3).doubles(1_000_000).forEach(v -> b.add(v * 3000));
    ColumnProfile p = b.build();
    byte[] bytes = p.toBytes();
    // a million values in a few kilobytes: KLL k=200 keeps under ~700 items
    assertThat(bytes.length).isLessThan(8_000);
    ColumnProfile q = ColumnProfile.fromBase64(p.toBase64());
    assertThat(q.column()).isEqualTo("distance");
    assertThat(q.count()).isEqualTo(p.count());
    assertThat(q.mean()).isEqualTo(p.mean());
    assertThat(q.stddev()).isEqualTo(p.stddev());
    assertThat(q.quantile(0.9)).isEqualTo(p.quantile(0.9));
    assertThat(q.toBytes()).isEqualTo(bytes);

    ColumnProfile c = ColumnProfile.categorical("o").add("a").add("b").add("a").build();
    assertThat(ColumnProfile.fromBytes(c.toBytes()).topItems(5)).isEqualTo(c.topItems(5));
    assertThatThrownBy(() -> ColumnProfile.fromBytes(Arrays.copyOf(bytes, 20)))
        .hasMessageStartingWith("Cannot read profile");
  }
}
