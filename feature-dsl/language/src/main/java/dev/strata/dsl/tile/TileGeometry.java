package dev.strata.dsl.tile;

import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.TileSpec;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeDomain;
import dev.strata.dsl.time.Window;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Where the tiles, windows and roll-up blocks of one feature group lie in time: the one place
 * that turns a group's windows and hops into instants. Batch (backfill sweeps, training sets,
 * materialize), stream (tile starts), the online writer (roll-ups, trimming) and reader (block
 * covers), and the oracle all ask this class; none of them computes a window bound itself.
 *
 * <p>Definitions, for a feature with window {@code W} and hop {@code h} (a tile spec is the set of
 * a group's aggregations that share a hop):
 *
 * <ul>
 *   <li>The tile holding instant {@code t} is {@code [floor(t, h), floor(t, h) + h)}.
 *   <li>The feature's window as of {@code t} is {@code [windowStart(f, t), t)} with {@code
 *       windowStart = floor(t − W, h)}. A lifetime window has no length; it starts at the spec's
 *       {@linkplain #lifetimeStart(int) lifetime start}, an aligned instant at or before {@link
 *       TimeDomain#MIN}, so it holds every accepted event before {@code t}, including events
 *       before 1970.
 *   <li>Roll-up level {@code k} of a spec groups its tiles into aligned blocks of span {@code h ·
 *       2^k} (level 0 is the tile); a block of level k starts at a multiple of its span. Levels
 *       go up to the largest span not above the spec's widest window, or, for a spec with a
 *       lifetime window, to a span large enough that a handful of blocks cover the time domain.
 * </ul>
 *
 * <p>Guarantees, for every instant {@code t} in the {@link TimeDomain}:
 *
 * <ul>
 *   <li>The blocks of {@link #cover(int, long) cover(s, t)} are disjoint, aligned, in time order,
 *       and their union is {@code [reach(s, t), c)} for some {@code c ≥ t} with {@code c − t} less
 *       than one block; every window of the spec's features as of {@code t} is exactly the union
 *       of the blocks starting in {@code [windowStart(f, t), floor(t, h)]}, minus the part of the
 *       last one at or after {@code t} (where nothing is stored yet).
 *   <li>{@link #reach(int, long) reach(s, t)} is the earliest tile start any feature of the spec
 *       reads as of {@code t}; it never decreases as {@code t} grows, so a tile or block starting
 *       before {@code reach(s, t)} is never read by a read as of {@code t} or later.
 *   <li>No method overflows: window lengths are at most {@link TimeDomain#MAX_WINDOW} and spans
 *       at most 2<sup>62</sup> µs.
 * </ul>
 *
 * <p>Immutable and thread-safe.
 */
public final class TileGeometry {
  /** The most roll-up levels of a spec with a lifetime window (fewer when the hop is so large that spans would overflow). */
  static final int LIFETIME_LEVELS = 40;
  /** The largest block span, in bits: 2^62 µs is about 146,000 years. */
  private static final int MAX_SPAN_BITS = 62;

  private final CompiledGroup group;
  private final long[] hops;
  private final int[] featureSpec;
  private final int[] featureSlot;
  private final Window[] widest;
  private final int[] levels;
  private final long[] lifetimeStart;
  /** Per spec, the features (indexes into the group's features) it serves. */
  private final int[][] specFeatures;
  private final Window widestOfGroup;

  private TileGeometry(CompiledGroup group) {
    this.group = Objects.requireNonNull(group, "group");
    List<TileSpec> specs = group.tiles();
    int n = specs.size();
    this.hops = new long[n];
    this.widest = new Window[n];
    this.levels = new int[n];
    this.lifetimeStart = new long[n];
    this.specFeatures = new int[n][];
    List<CompiledFeature> features = group.features();
    this.featureSpec = new int[features.size()];
    this.featureSlot = new int[features.size()];
    List<List<Integer>> bySpec = new ArrayList<>();
    for (int s = 0; s < n; s++) {
      hops[s] = specs.get(s).hopMicros();
      bySpec.add(new ArrayList<>());
    }
    for (int f = 0; f < features.size(); f++) {
      CompiledFeature feature = features.get(f);
      featureSpec[f] = -1;
      for (int s = 0; s < n; s++) {
        int slot = specs.get(s).aggregationIndexes().indexOf(feature.aggregationIndex());
        if (hops[s] == feature.hopMicros() && slot >= 0) {
          featureSpec[f] = s;
          featureSlot[f] = slot;
          bySpec.get(s).add(f);
          if (widest[s] == null || feature.window().compareTo(widest[s]) > 0) {
            widest[s] = feature.window();
          }
        }
      }
      if (featureSpec[f] < 0) {
        throw new IllegalArgumentException("Cannot place feature " + feature.qualifiedName() + " in tiles: no tile spec holds it");
      }
    }
    Window groupWidest = null;
    for (int s = 0; s < n; s++) {
      specFeatures[s] = bySpec.get(s).stream().mapToInt(Integer::intValue).toArray();
      if (widest[s] == null) {
        widest[s] = Window.of(hops[s]); // a spec serving no feature: its tiles alone
      }
      if (groupWidest == null || widest[s].compareTo(groupWidest) > 0) {
        groupWidest = widest[s];
      }
      levels[s] = levelsOf(hops[s], widest[s]);
      lifetimeStart[s] = Durations.floor(TimeDomain.MIN, span(s, levels[s] - 1));
    }
    this.widestOfGroup = groupWidest;
  }

  /** The geometry of a compiled group. */
  public static TileGeometry of(CompiledGroup group) {
    return new TileGeometry(group);
  }

  public CompiledGroup group() {
    return group;
  }

  // ------------------------------------------------------------------ specs and features

  /** The number of tile specs (one per distinct hop). */
  public int specCount() {
    return hops.length;
  }

  /** The hop (tile length) of spec {@code s}, in microseconds. */
  public long hop(int s) {
    return hops[s];
  }

  /**
   * The spec whose tiles have hop {@code hopMicros}.
   *
   * @throws IllegalArgumentException when the group has no tiles of that hop
   */
  public int specOfHop(long hopMicros) {
    for (int s = 0; s < hops.length; s++) {
      if (hops[s] == hopMicros) {
        return s;
      }
    }
    throw new IllegalArgumentException("Cannot place tiles of hop " + Durations.format(hopMicros) + " in group '" + group.name()
        + "': its hops are " + hopList());
  }

  /** The spec holding feature {@code f} (an index into the group's features). */
  public int specOf(int f) {
    return featureSpec[f];
  }

  /** The slot of feature {@code f}'s aggregation in its spec's tile (its {@code RowAggregator} index). */
  public int slotOf(int f) {
    return featureSlot[f];
  }

  /** The widest window of the group's features. */
  public Window widestWindow() {
    return widestOfGroup;
  }

  /**
   * How long after a key's latest event its stored tiles are still worth keeping: the group's
   * {@code ttl} when declared (reads past it answer OUTSIDE_TTL), else its widest window (no read
   * as of a later instant sees those tiles). Empty when the group keeps a lifetime window and
   * declares no ttl: its tiles are kept for good.
   */
  public OptionalLong retentionMicros() {
    if (group.ttlMicros() != null) {
      return OptionalLong.of(group.ttlMicros());
    }
    return widestOfGroup.isLifetime() ? OptionalLong.empty() : OptionalLong.of(widestOfGroup.micros());
  }

  /** True when spec {@code s} serves a lifetime window: none of its tiles ever falls out of a window. */
  public boolean keepsEverything(int s) {
    return widest[s].isLifetime();
  }

  // ------------------------------------------------------------------ tiles and windows

  /** The start of the tile of spec {@code s} holding instant {@code t}: {@code floor(t, hop)}. */
  public long tileStart(int s, long t) {
    return Durations.floor(t, hops[s]);
  }

  /** The first instant after the tile of spec {@code s} that starts at {@code start}. */
  public long tileEnd(int s, long start) {
    return start + hops[s];
  }

  /**
   * The first instant of feature {@code f}'s window as of {@code t} (the window is {@code [start,
   * t)}): {@code floor(t − W, h)}, or the spec's {@linkplain #lifetimeStart(int) lifetime start}.
   */
  public long windowStart(int f, long t) {
    CompiledFeature feature = group.features().get(f);
    int s = featureSpec[f];
    return feature.window().isLifetime() ? lifetimeStart[s] : Durations.floor(t - feature.window().micros(), hops[s]);
  }

  /**
   * Where the lifetime windows of spec {@code s} start: {@link TimeDomain#MIN} rounded down to the
   * spec's largest block span, so a lifetime window is a few whole top-level blocks and then the
   * blocks of the recent past. Every accepted event lies at or after it.
   */
  public long lifetimeStart(int s) {
    return lifetimeStart[s];
  }

  /**
   * The earliest tile start any feature of spec {@code s} reads as of {@code t}: the start of its
   * widest window. Non-decreasing in {@code t}.
   */
  public long reach(int s, long t) {
    return widest[s].isLifetime() ? lifetimeStart[s] : Durations.floor(t - widest[s].micros(), hops[s]);
  }

  /**
   * The earliest event time that can count in a value as of {@code t} or later: the least {@link
   * #reach} over the specs. A sweep that starts answering at {@code t} needs the events from here.
   */
  public long eventsNeededFrom(long t) {
    long from = Long.MAX_VALUE;
    for (int s = 0; s < hops.length; s++) {
      from = Math.min(from, reach(s, t));
    }
    return from;
  }

  /**
   * True when a key whose latest event (before {@code t}) is at {@code lastEvent} has an event in
   * some feature's window as of {@code t}: the key has a value worth a row as of t.
   */
  public boolean isActive(long lastEvent, long t) {
    return lastEvent >= eventsNeededFrom(t) && lastEvent < t;
  }

  // ------------------------------------------------------------------ roll-up blocks

  /** The number of roll-up levels of spec {@code s} (level 0 is the tiles themselves). */
  public int levels(int s) {
    return levels[s];
  }

  /** The span of a block of spec {@code s} at {@code level}: {@code hop · 2^level}. */
  public long span(int s, int level) {
    return hops[s] << level;
  }

  /** The start of the block of spec {@code s} at {@code level} holding instant {@code t}. */
  public long blockStart(int s, int level, long t) {
    return Durations.floor(t, span(s, level));
  }

  /** The first block start of spec {@code s} at {@code level} at or after {@code t}. */
  public long firstBlockFrom(int s, int level, long t) {
    long span = span(s, level);
    return Math.floorDiv(t, span) * span + (Math.floorMod(t, span) == 0 ? 0 : span);
  }

  /**
   * The blocks of spec {@code s} before which nothing is read again once the key's latest event is
   * at {@code latestEvent} (reads happen as of instants after it): {@link #reach(int, long)} as of
   * that event. For a spec that {@linkplain #keepsEverything keeps everything}, its lifetime
   * start: nothing is ever dropped.
   */
  public long trimBefore(int s, long latestEvent) {
    return reach(s, latestEvent);
  }

  /** An aligned block of tiles: {@code [start, start + span)}. */
  public record Block(long start, long span) {
    public long end() {
      return start + span;
    }
  }

  /**
   * The blocks a read of spec {@code s} as of {@code t} needs (see the class guarantees): the
   * window starts of the spec's features cut {@code [reach(s, t), t)} into segments, each covered
   * by the fewest aligned blocks (at each position the largest block aligned there that ends by
   * the segment's end); the last segment may end with one block that runs past {@code t}, since
   * nothing after t is stored.
   */
  public List<Block> cover(int s, long t) {
    long hop = hops[s];
    List<Long> cuts = new ArrayList<>();
    for (int f : specFeatures[s]) {
      long start = windowStart(f, t);
      if (!cuts.contains(start)) {
        cuts.add(start);
      }
    }
    cuts.sort(null);
    long end = firstBlockFrom(s, 0, t);
    List<Block> out = new ArrayList<>();
    for (int i = 0; i < cuts.size(); i++) {
      boolean last = i == cuts.size() - 1;
      cover(cuts.get(i), last ? end : cuts.get(i + 1), hop, levels[s], last, out);
    }
    return out;
  }

  /**
   * A cover per spec for a sweep that asks for many instants in a row: {@link CoverMemo#cover}
   * gives the same blocks as {@link #cover(int, long)}, computed once for all the instants that
   * have the same cover.
   */
  public CoverMemo coverMemo() {
    return new CoverMemo();
  }

  /**
   * Remembers the last cover of each spec. When every window of a spec is whole hops (or a
   * lifetime; the compiler accepts no other), its cover as of {@code t} depends on t only
   * through the start of t's tile and whether t is that start: window starts are {@code
   * floor(t, h) − W} and the cover ends at t's tile's end, or at t itself when t is aligned.
   * Any other spec is covered afresh each time. Not thread-safe: one per sweep.
   */
  public final class CoverMemo {
    private final long[] tile = new long[hops.length];
    private final boolean[] aligned = new boolean[hops.length];
    private final List<List<Block>> last = new ArrayList<>();
    private final boolean[] byTile = new boolean[hops.length];

    private CoverMemo() {
      for (int s = 0; s < hops.length; s++) {
        last.add(null);
        boolean whole = true;
        for (int f : specFeatures[s]) {
          Window w = group.features().get(f).window();
          whole &= w.isLifetime() || w.micros() % hops[s] == 0;
        }
        byTile[s] = whole;
      }
    }

    /** The blocks of {@link TileGeometry#cover(int, long)}, the same list object for instants with the same cover (do not change it). */
    public List<Block> cover(int s, long t) {
      long start = tileStart(s, t);
      boolean isAligned = start == t;
      List<Block> blocks = last.get(s);
      if (blocks != null && byTile[s] && tile[s] == start && aligned[s] == isAligned) {
        return blocks;
      }
      blocks = List.copyOf(TileGeometry.this.cover(s, t));
      last.set(s, blocks);
      tile[s] = start;
      aligned[s] = isAligned;
      return blocks;
    }
  }

  private static void cover(long from, long to, long hop, int levels, boolean openEnd, List<Block> out) {
    long p = from;
    while (p < to) {
      int best = 0;
      int covering = -1;
      for (int k = 0; k < levels; k++) {
        long span = hop << k;
        if (Math.floorMod(p, span) != 0) {
          break;
        }
        if (p + span <= to) {
          best = k;
        }
        if (openEnd && covering < 0 && p + span >= to) {
          covering = k;
        }
      }
      if (covering >= 0) {
        out.add(new Block(p, hop << covering));
        return;
      }
      out.add(new Block(p, hop << best));
      p += hop << best;
    }
  }

  private static int levelsOf(long hop, Window widest) {
    int hopBits = 64 - Long.numberOfLeadingZeros(hop);
    if (widest.isLifetime()) {
      return Math.min(LIFETIME_LEVELS, MAX_SPAN_BITS - hopBits) + 1;
    }
    long ratio = Math.max(1, widest.micros() / hop);
    int levels = 64 - Long.numberOfLeadingZeros(ratio); // floor(log2(ratio)) + 1
    return Math.min(levels, MAX_SPAN_BITS - hopBits + 1);
  }

  private String hopList() {
    List<String> out = new ArrayList<>();
    for (long h : hops) {
      out.add(Durations.format(h));
    }
    return String.join(", ", out);
  }
}
