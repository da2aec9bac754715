package dev.strata.dsl.time;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** TimeRanges against a brute-force model: a bit per instant of a small domain. */
class TimeRangesTest {
  private static final int DOMAIN = 64;

  @Test
  void setOperationsMatchABitSetModel() {
    Random random = new Random(20261205);
    for (int trial = 0; trial < 5_000; trial++) {
      BitSet a = randomBits(random);
      BitSet b = randomBits(random);
      TimeRanges ra = fromBits(a);
      TimeRanges rb = fromBits(b);
      assertThat(bitsOf(ra)).isEqualTo(a);

      BitSet or = (BitSet) a.clone();
      or.or(b);
      BitSet andNot = (BitSet) a.clone();
      andNot.andNot(b);
      BitSet and = (BitSet) a.clone();
      and.and(b);
      assertThat(bitsOf(ra.union(rb))).as("%s ∪ %s", ra, rb).isEqualTo(or);
      assertThat(bitsOf(ra.minus(rb))).as("%s − %s", ra, rb).isEqualTo(andNot);
      assertThat(bitsOf(ra.intersect(rb))).as("%s ∩ %s", ra, rb).isEqualTo(and);
      assertThat(ra.overlaps(rb)).isEqualTo(a.intersects(b));
      assertThat(ra.totalMicros()).isEqualTo(a.cardinality());
      assertThat(ra.union(rb)).as("one canonical form per set").isEqualTo(fromBits(or));

      int s = random.nextInt(DOMAIN);
      int e = s + random.nextInt(DOMAIN - s + 1);
      BitSet wanted = new BitSet();
      wanted.set(s, e);
      wanted.andNot(a);
      assertThat(ra.covers(s, e)).isEqualTo(wanted.isEmpty());
    }
  }

  @Test
  void daysAreWholeUtcDaysAndTouchingRangesMerge() {
    long jan1 = 11_323; // 2001-01-01 as an epoch day
    TimeRanges january = TimeRanges.days(jan1, jan1 + 30);
    TimeRanges february = TimeRanges.days(jan1 + 31, jan1 + 58);
    assertThat(january.toString()).isEqualTo("[2001-01-01T00:00:00Z, 2001-02-01T00:00:00Z)");
    TimeRanges both = january.union(february);
    assertThat(both.rangeCount()).isEqualTo(1);
    assertThat(both.toString()).isEqualTo("[2001-01-01T00:00:00Z, 2001-03-01T00:00:00Z)");
    assertThat(both.minus(january)).isEqualTo(february);
    assertThat(TimeRanges.of(5, 5).isEmpty()).isTrue();
    assertThat(TimeRanges.empty().toString()).isEqualTo("(none)");
  }

  private static BitSet randomBits(Random random) {
    BitSet bits = new BitSet();
    int ranges = random.nextInt(5);
    for (int i = 0; i < ranges; i++) {
      int s = random.nextInt(DOMAIN);
      bits.set(s, Math.min(DOMAIN, s + 1 + random.nextInt(12)));
    }
    return bits;
  }

  private static TimeRanges fromBits(BitSet bits) {
    TimeRanges r = TimeRanges.empty();
    for (int i = bits.nextSetBit(0); i >= 0; i = bits.nextSetBit(i + 1)) {
      r = r.union(TimeRanges.of(i, i + 1)); // one instant at a time: exercises merging
    }
    return r;
  }

  private static BitSet bitsOf(TimeRanges r) {
    BitSet bits = new BitSet();
    for (long[] range : r.ranges()) {
      assertThat(range[0]).isLessThan(range[1]);
      bits.set((int) range[0], (int) range[1]);
    }
    return bits;
  }
}
