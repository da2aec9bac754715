package dev.strata.dsl.tile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.PlanCompiler;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeDomain;
import dev.strata.dsl.time.Window;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The geometry's stated guarantees, as seeded properties over the flights groups and a group of
 * odd hops and a lifetime window, at instants across the whole time domain (before 1970 too).
 * Window bounds are checked against the definition computed independently in exact arithmetic.
 */
class TileGeometryTest {
  static final String ODD = """
      entities:
        airport: { keys: { airport: string } }
      sources:
        events:
          timestamp: at
          schema: { at: timestamp, v: int, origin: string }
      feature_groups:
        odd:
          entity: airport
          source: events
          keys: { airport: origin }
          aggregations:
            - { name: a, function: count, windows: [5m, 3h, 2d, lifetime] }
            - { name: b, function: sum, input: v, windows: [14d, 3650d], hop: 2d }
            - { name: c, function: max, input: v, windows: [90s, 30m], hop: 30s }
            - { name: d, function: count, windows: [3652059d], hop: 1d }
      """;

  static List<CompiledGroup> groups() {
    List<CompiledGroup> out = new ArrayList<>(FlightsSample.plan().groups());
    out.addAll(compile(ODD).groups());
    return out;
  }

  static CompiledPlan compile(String yaml) {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("geometry");
      java.nio.file.Files.writeString(dir.resolve("defs.yaml"), yaml);
      ProjectLoader.Loaded loaded = ProjectLoader.load(dir);
      return PlanCompiler.compile(loaded.project(), loaded.diagnostics()).plan().orElseThrow();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Instants across the domain: the flights' year, 1900s, its first and last days. */
  static long instant(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> Durations.parseInstant("2001-01-01") + (long) (random.nextDouble() * 400 * Durations.DAY);
      case 1 -> Durations.parseInstant("1900-01-01") + (long) (random.nextDouble() * 100 * 365 * Durations.DAY);
      case 2 -> TimeDomain.MIN + (long) (random.nextDouble() * 30 * Durations.DAY);
      case 3 -> TimeDomain.END - 1 - (long) (random.nextDouble() * 30 * Durations.DAY);
      default -> TimeDomain.MIN + (long) (random.nextDouble() * (TimeDomain.END - TimeDomain.MIN));
    };
  }

  /** floor(t − W, h) in exact arithmetic: the definition, without the geometry's code. */
  static long definedStart(long t, long window, long hop) {
    BigInteger[] qr = BigInteger.valueOf(t).subtract(BigInteger.valueOf(window)).divideAndRemainder(BigInteger.valueOf(hop));
    BigInteger q = qr[1].signum() < 0 ? qr[0].subtract(BigInteger.ONE) : qr[0];
    return q.multiply(BigInteger.valueOf(hop)).longValueExact();
  }

  /**
   * The memo's cover equals a fresh cover at every instant of a sweep-like sequence: instants
   * that move forward by less than a hop, by whole hops, onto tile starts and just past them,
   * repeat, and jump across the domain.
   */
  @Test
  void memoizedCoversEqualFreshCovers() {
    Random random = new Random(20261206);
    int checked = 0;
    for (CompiledGroup g : groups()) {
      TileGeometry geo = TileGeometry.of(g);
      TileGeometry.CoverMemo memo = geo.coverMemo();
      long t = instant(random);
      for (int i = 0; i < 4_000; i++) {
        int s = random.nextInt(geo.specCount());
        long hop = geo.hop(s);
        t = switch (random.nextInt(6)) {
          case 0 -> t; // the same instant again
          case 1 -> t + random.nextInt(1_000_000);
          case 2 -> Durations.floor(t, hop) + hop; // the next tile's start
          case 3 -> Durations.floor(t, hop) + hop + 1; // just past it
          case 4 -> t + hop * (1 + random.nextInt(3));
          default -> instant(random);
        };
        if (t >= TimeDomain.END - 4 * Durations.DAY || t < TimeDomain.MIN) {
          t = instant(random);
        }
        assertThat(memo.cover(s, t)).as("%s spec %d as of %d", g.name(), s, t).isEqualTo(geo.cover(s, t));
        checked++;
      }
    }
    assertThat(checked).isGreaterThan(10_000);
  }

  @Test
  void coversAreAlignedDisjointContiguousAndCutAtEveryWindowStart() {
    Random random = new Random(20261205);
    int checked = 0;
    for (CompiledGroup g : groups()) {
      TileGeometry geo = TileGeometry.of(g);
      for (int s = 0; s < geo.specCount(); s++) {
        long hop = geo.hop(s);
        long top = geo.span(s, geo.levels(s) - 1);
        assertThat(top).isPositive().isLessThanOrEqualTo(1L << 62);
        for (int i = 0; i < 1_500; i++) {
          long t = instant(random);
          if (i % 5 == 0) {
            t = Durations.floor(t, hop); // aligned instants: empty heads
          }
          List<TileGeometry.Block> blocks = geo.cover(s, t);
          long end = Math.floorDiv(t, hop) * hop + (Math.floorMod(t, hop) == 0 ? 0 : hop);
          assertThat(blocks).isNotEmpty();
          assertThat(blocks.get(0).start()).isEqualTo(geo.reach(s, t));
          for (int b = 0; b < blocks.size(); b++) {
            TileGeometry.Block block = blocks.get(b);
            assertThat(Long.bitCount(block.span() / hop)).isEqualTo(1);
            assertThat(block.span() % hop).isZero();
            assertThat(block.span()).isLessThanOrEqualTo(top);
            assertThat(Math.floorMod(block.start(), block.span())).isZero();
            if (b > 0) {
              assertThat(block.start()).isEqualTo(blocks.get(b - 1).end());
            }
            // Only the last block may reach past the head (nothing is stored after t).
            assertThat(b == blocks.size() - 1 || block.end() <= end).isTrue();
          }
          TileGeometry.Block lastBlock = blocks.get(blocks.size() - 1);
          assertThat(lastBlock.end()).isGreaterThanOrEqualTo(end);
          assertThat(lastBlock.start()).isLessThanOrEqualTo(Durations.floor(t, hop));
          for (int f = 0; f < g.features().size(); f++) {
            if (geo.specOf(f) != s) {
              continue;
            }
            CompiledFeature feature = g.features().get(f);
            long start = geo.windowStart(f, t);
            if (feature.window().isLifetime()) {
              assertThat(start).isLessThanOrEqualTo(TimeDomain.MIN).isEqualTo(geo.lifetimeStart(s));
              assertThat(Math.floorMod(start, top)).isZero();
            } else {
              assertThat(start).isEqualTo(definedStart(t, feature.window().micros(), hop));
            }
            assertThat(blocks.stream().anyMatch(b -> b.start() == start)).as("%s as of %d", feature.qualifiedName(), t).isTrue();
            assertThat(start).isGreaterThanOrEqualTo(geo.reach(s, t));
          }
          // O(log(W / hop)) per window cut, never W / hop.
          assertThat(blocks.size()).isLessThanOrEqualTo(4 * geo.levels(s));
          checked++;
        }
      }
    }
    assertThat(checked).isGreaterThan(10_000);
  }

  /**
   * Counting events per block and summing the blocks of each window's cover gives the number of
   * events in the window by definition ([floor(t − W, h), t), or every event before t) for
   * events all over the domain, the way the online store stores and reads them.
   */
  @Test
  void windowsReadFromBlocksHoldExactlyTheirEvents() {
    Random random = new Random(7);
    for (CompiledGroup g : groups()) {
      TileGeometry geo = TileGeometry.of(g);
      for (int round = 0; round < 20; round++) {
        long[] events = new long[200];
        long base = instant(random);
        for (int i = 0; i < events.length; i++) {
          // clustered near one instant (windows see several), with outliers across the domain
          long e = i % 10 == 0 ? instant(random) : base + (long) ((random.nextDouble() - 0.5) * 20 * Durations.DAY);
          events[i] = Math.max(TimeDomain.MIN, Math.min(TimeDomain.END - 1, e));
        }
        for (int q = 0; q < 30; q++) {
          long t = q % 3 == 0 ? instant(random) : events[random.nextInt(events.length)] + random.nextInt(3) - 1;
          t = Math.max(TimeDomain.MIN, Math.min(TimeDomain.END - 1, t));
          for (int s = 0; s < geo.specCount(); s++) {
            // per level: block start -> events, of the events before t (the store holds no later ones)
            List<TreeMap<Long, Integer>> levels = new ArrayList<>();
            for (int k = 0; k < geo.levels(s); k++) {
              TreeMap<Long, Integer> blocks = new TreeMap<>();
              for (long e : events) {
                if (e < t) {
                  blocks.merge(geo.blockStart(s, k, e), 1, Integer::sum);
                }
              }
              levels.add(blocks);
            }
            List<TileGeometry.Block> cover = geo.cover(s, t);
            for (int f = 0; f < g.features().size(); f++) {
              if (geo.specOf(f) != s) {
                continue;
              }
              Window w = g.features().get(f).window();
              long from = w.isLifetime() ? Long.MIN_VALUE : definedStart(t, w.micros(), geo.hop(s));
              long expected = 0;
              for (long e : events) {
                if (e >= from && e < t) {
                  expected++;
                }
              }
              long windowStart = geo.windowStart(f, t);
              long head = geo.tileStart(s, t);
              long got = 0;
              for (TileGeometry.Block b : cover) {
                if (b.start() >= windowStart && b.start() <= head) {
                  int level = Long.numberOfTrailingZeros(b.span() / geo.hop(s));
                  got += levels.get(level).getOrDefault(b.start(), 0);
                }
              }
              assertThat(got).as("%s as of %s", g.features().get(f).qualifiedName(), t).isEqualTo(expected);
            }
          }
        }
      }
    }
  }

  @Test
  void reachNeverDecreasesAndTrimmingKeepsWhatLaterReadsNeed() {
    Random random = new Random(3);
    for (CompiledGroup g : groups()) {
      TileGeometry geo = TileGeometry.of(g);
      for (int i = 0; i < 2_000; i++) {
        long a = instant(random);
        long b = Math.min(TimeDomain.END - 1, a + (long) (random.nextDouble() * 40 * Durations.DAY));
        for (int s = 0; s < geo.specCount(); s++) {
          assertThat(geo.reach(s, b)).isGreaterThanOrEqualTo(geo.reach(s, a));
          // a read as of any t after the latest event needs nothing before trimBefore(latest)
          assertThat(geo.trimBefore(s, a)).isLessThanOrEqualTo(geo.cover(s, b).get(0).start());
          if (geo.keepsEverything(s)) {
            assertThat(geo.trimBefore(s, b)).isEqualTo(geo.lifetimeStart(s));
          }
        }
        assertThat(geo.eventsNeededFrom(a)).isLessThanOrEqualTo(a);
      }
    }
  }

  @Test
  void blockArithmeticAgreesAcrossTheDomain() {
    Random random = new Random(5);
    for (CompiledGroup g : groups()) {
      TileGeometry geo = TileGeometry.of(g);
      for (int i = 0; i < 5_000; i++) {
        long t = instant(random);
        int s = random.nextInt(geo.specCount());
        int k = random.nextInt(geo.levels(s));
        long span = geo.span(s, k);
        long start = geo.blockStart(s, k, t);
        assertThat(start).isLessThanOrEqualTo(t);
        assertThat(t - start).isLessThan(span);
        assertThat(Math.floorMod(start, span)).isZero();
        long next = geo.firstBlockFrom(s, k, t);
        assertThat(next).isGreaterThanOrEqualTo(t);
        assertThat(next == t ? start == t : next == start + span).isTrue();
      }
    }
  }

  @Test
  void isActiveMeansSomeWindowHoldsTheLastEvent() {
    CompiledGroup g = compile(ODD).group("odd").orElseThrow();
    TileGeometry geo = TileGeometry.of(g);
    long t = Durations.parseInstant("2001-06-01");
    // a lifetime window: any earlier event, even before 1970, keeps the key active
    assertThat(geo.isActive(Durations.parseInstant("1901-01-01"), t)).isTrue();
    assertThat(geo.isActive(t, t)).isFalse();
    assertThat(geo.widestWindow()).isEqualTo(Window.LIFETIME);
  }

  @Test
  void hopsWithoutASpecAndLifetimeLengthsAreRefused() {
    TileGeometry geo = TileGeometry.of(FlightsSample.plan().group("origin_delays").orElseThrow());
    assertThatThrownBy(() -> geo.specOfHop(7 * Durations.MINUTE))
        .hasMessageStartingWith("Cannot place tiles of hop 7m in group 'origin_delays': its hops are ");
    assertThatThrownBy(() -> Window.LIFETIME.micros()).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> Window.of(TimeDomain.MAX_WINDOW + Durations.DAY))
        .hasMessageContaining("longer than Strata's time range");
  }

  @Test
  void retentionIsTheTtlElseTheWidestFiniteWindow() {
    // flights: origin_delays declares ttl 30d (wider than its 7d windows); route_delays keeps a
    // lifetime window but declares ttl 60d; the odd group keeps a lifetime window and no ttl.
    CompiledPlan flights = FlightsSample.plan();
    assertThat(TileGeometry.of(flights.group("origin_delays").orElseThrow()).retentionMicros())
        .hasValue(30 * Durations.DAY);
    assertThat(TileGeometry.of(flights.group("route_delays").orElseThrow()).retentionMicros())
        .hasValue(60 * Durations.DAY);
    assertThat(TileGeometry.of(compile(ODD).group("odd").orElseThrow()).retentionMicros()).isEmpty();
    CompiledGroup noTtl = compile(ODD.replace("lifetime]", "1h]")).group("odd").orElseThrow();
    assertThat(TileGeometry.of(noTtl).retentionMicros()).hasValue(3652059 * Durations.DAY);
  }
}
