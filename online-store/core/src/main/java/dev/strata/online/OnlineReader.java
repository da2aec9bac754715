package dev.strata.online;

import dev.strata.dsl.error.BadRequestException;
import dev.strata.dsl.error.UnknownNameException;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.tile.FeatureAssembler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeDomain;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.KvStore;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Online feature values: for N entity rows and the M groups of a service, one read of the
 * {@link KvStore} fetches exactly the roll-up blocks the windows need ({@link ReadPlan}, from
 * {@link dev.strata.dsl.tile.TileGeometry#cover}), {@link ReadAssembly} merges and finishes them with
 * {@link FeatureAssembler} as replies arrive, and derived features are evaluated on the result.
 *
 * <p>As-of semantics: the store holds each key's events up to its latest event time {@code @t}.
 * Reads as of now use the clock; reads exactly as of an instant are refused for a key whose
 * {@code @t} is not before it. Thread-safe.
 */
public final class OnlineReader {
  private final CompiledPlan plan;
  private final KvStore store;
  private final RedisLayout layout;
  private final Clock clock;
  private final Map<String, GroupReader> groups = new HashMap<>();
  private final Map<String, ServiceReader> services = new HashMap<>();
  private final Map<List<String>, ServiceReader> adHoc = new java.util.concurrent.ConcurrentHashMap<>();
  private final int parallelRows;
  private final int parallelism;
  private final java.util.function.Supplier<java.util.Set<String>> staleGroups;

  private OnlineReader(Builder b) {
    this.plan = b.plan;
    this.store = b.store;
    this.layout = b.layout;
    this.clock = b.clock;
    this.parallelRows = b.parallelRows;
    this.parallelism = b.parallelism;
    this.staleGroups = b.staleGroups;
    for (CompiledGroup g : plan.groups()) {
      if (g.online()) {
        groups.put(g.name(), new GroupReader(GroupTiler.of(plan, g.name())));
      }
    }
    for (CompiledService s : plan.services()) {
      if (s.groups().stream().allMatch(groups::containsKey)) {
        services.put(s.name(), new ServiceReader(plan, s, groups));
      }
    }
  }

  /** A reader of the store (keys named by the layout, {@link RedisLayout#standard()} by default). */
  public static Builder builder(CompiledPlan plan, KvStore store) {
    return new Builder(plan, store);
  }

  /**
   * One round trip to the store, for readiness checks: returns normally when the store answers.
   *
   * @throws OnlineStoreException when it does not
   */
  public void ping() {
    store.fieldNames(List.of(PING_KEY));
  }

  private static final byte[] PING_KEY = "strata:ping".getBytes(java.nio.charset.StandardCharsets.UTF_8);

  public CompiledPlan plan() {
    return plan;
  }

  /** The services this reader serves (those whose groups are all online). */
  public List<String> services() {
    return services.keySet().stream().sorted().toList();
  }

  /** The entity key columns (name and type) the rows of a service must carry, in first-use order. */
  public List<Field> entityKeys(String service) {
    return service(service).keyFields;
  }

  /** The output columns of a service: group features, then derived features. */
  public Schema schema(String service) {
    return service(service).service.schema();
  }

  /**
   * Values as of now (the reader's clock). The store answers for the events it holds: an event
   * stamped after now (a producer's clock ahead of this one) already counts.
   */
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows) {
    return read(service(service), entityRows, Durations.toMicros(clock.instant()), false);
  }

  /**
   * Values as of the instant {@code tMicros}, exactly: the store must hold no event of a key at or
   * after t (it holds each key's events up to its latest event time, and roll-ups of the tiles a
   * read as of that time needs).
   *
   * @throws UnknownServiceException for an unknown service
   * @throws BadRequestException for a missing key or a key of the wrong type
   * @throws InstantNotAnswerableException when the store already holds an event of a requested key
   *     at or after t, naming the earliest instant it can answer for that key
   * @throws OnlineStoreException when Redis fails
   */
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows, long tMicros) {
    return read(service(service), entityRows, TimeDomain.check(tMicros, "read instant"), true);
  }

  /**
   * Values of a list of group features ({@code group.feature} or Feast's {@code group:feature}),
   * as of now, without derived features: Feast's {@code features} request.
   *
   * @throws UnknownFeatureException for a feature no online group has
   */
  public OnlineFeatures getOnlineFeaturesByName(List<String> featureRefs, List<Map<String, Object>> entityRows) {
    return getOnlineFeaturesByName(featureRefs, entityRows, Durations.toMicros(clock.instant()), false);
  }

  /** Like {@link #getOnlineFeatures(String, List, long)}: exactly as of {@code tMicros}. */
  public OnlineFeatures getOnlineFeaturesByName(List<String> featureRefs, List<Map<String, Object>> entityRows, long tMicros) {
    return getOnlineFeaturesByName(featureRefs, entityRows, TimeDomain.check(tMicros, "read instant"), true);
  }

  private OnlineFeatures getOnlineFeaturesByName(List<String> featureRefs, List<Map<String, Object>> entityRows, long nowMicros,
      boolean exact) {
    List<String> refs = List.copyOf(featureRefs);
    ServiceReader sr = adHoc.get(refs);
    if (sr == null) {
      if (refs.isEmpty()) {
        throw new BadRequestException("Cannot fetch features: the feature list is empty");
      }
      List<ServiceFeature> features = new ArrayList<>();
      java.util.Set<String> seen = new java.util.HashSet<>();
      for (String ref : refs) {
        String[] parts = ref.split("[.:]", 2);
        GroupReader gr = parts.length == 2 ? groups.get(parts[0]) : null;
        CompiledFeature f = gr == null ? null : gr.group.feature(parts[1]).orElse(null);
        if (f == null) {
          throw new UnknownFeatureException(ref);
        }
        if (!seen.add(f.qualifiedName())) {
          throw new BadRequestException("Cannot fetch features: feature '" + f.qualifiedName() + "' is requested twice");
        }
        features.add(new ServiceFeature(f.qualifiedName(), gr.group.name(), f.name(), f.type()));
      }
      sr = new ServiceReader(plan, new CompiledService("(features)", features, List.of(), null), groups);
      if (adHoc.size() < 1000) {
        adHoc.put(refs, sr);
      }
    }
    return read(sr, entityRows, nowMicros, exact);
  }

  /**
   * One request: read in one call of the store, or, on a store that does not stream, cut into
   * chunks that the caller's and helper threads read in turn (the store serves one chunk while
   * another chunk's blocks are merged). A request never runs more threads than the store can lend
   * connections per server: more would only wait for each other's connections.
   */
  private OnlineFeatures read(ServiceReader sr, List<Map<String, Object>> entityRows, long nowMicros, boolean exact) {
    int n = entityRows.size();
    int threads = Math.min(parallelism, store.parallelReads());
    int chunks = threads <= 1 ? 1 : Math.min(n / parallelRows, 2 * parallelism);
    if (chunks < 2) {
      return readChunk(sr, entityRows, 0, nowMicros, exact);
    }
    int size = (n + chunks - 1) / chunks;
    int count = (n + size - 1) / size;
    OnlineFeatures[] results = new OnlineFeatures[count];
    AtomicInteger next = new AtomicInteger();
    Runnable work = () -> {
      for (int c = next.getAndIncrement(); c < count; c = next.getAndIncrement()) {
        int from = c * size;
        results[c] = readChunk(sr, entityRows.subList(from, Math.min(n, from + size)), from, nowMicros, exact);
      }
    };
    List<Future<?>> helpers = new ArrayList<>();
    for (int h = 1; h < Math.min(threads, count); h++) {
      helpers.add(Helpers.POOL.submit(work));
    }
    try {
      work.run();
      for (Future<?> f : helpers) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new OnlineStoreException("Cannot read online features: interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException re) {
        throw re; // the same exception a sequential read throws (bad row, store down)
      }
      throw new OnlineStoreException("Cannot read online features: " + e.getCause(), e.getCause());
    } finally {
      next.set(count); // a failed chunk stops the others from taking more
      helpers.forEach(f -> f.cancel(false));
    }
    return OnlineFeatures.concat(List.of(results));
  }

  /** Helper threads shared by every reader of the JVM: one fewer than the cores (the caller works too). */
  private static final class Helpers {
    static final ExecutorService POOL = Executors.newFixedThreadPool(
        Math.max(1, Runtime.getRuntime().availableProcessors() - 1), r -> {
          Thread t = new Thread(r, "strata-online-reader");
          t.setDaemon(true); // never keeps a JVM alive
          return t;
        });
  }

  /** Rows {@code rowOffset…} of a request: keys (a bad row fails before any I/O), one store read, assembly. */
  private OnlineFeatures readChunk(ServiceReader sr, List<Map<String, Object>> entityRows, int rowOffset, long nowMicros,
      boolean exact) {
    int n = entityRows.size();
    int m = sr.groups.size();
    byte[][][] keys = keys(sr, entityRows, rowOffset);
    Object[][] request = null; // like keys, checked before any I/O
    if (!sr.service.request().isEmpty()) {
      request = new Object[n][];
      for (int r = 0; r < n; r++) {
        request[r] = sr.requestValues(sr.service.name(), entityRows.get(r), rowOffset + r);
      }
    }
    ReadPlan plan = new ReadPlan(sr, store, nowMicros, exact);
    List<KvStore.Get> gets = new ArrayList<>(n * m);
    for (int r = 0; r < n; r++) {
      for (int g = 0; g < m; g++) {
        gets.add(new KvStore.Get(keys[r][g], plan.fields.get(g)));
      }
    }
    // Pipeline staleness is about now: an exact read as of an instant is answered as of it.
    ReadAssembly out = new ReadAssembly(sr, plan, n, nowMicros, rowOffset, exact ? java.util.Set.of() : staleGroups.get(),
        request);
    try {
      store.multiGet(gets, (i, values) -> out.reply(i / m, i % m, values));
    } catch (OnlineStoreException e) {
      if (e.getMessage().startsWith("Cannot read online features")) {
        throw e; // the assembly's own (corrupt blocks)
      }
      throw new OnlineStoreException("Cannot read online features: " + e.getMessage(), e.getCause());
    }
    return out.result();
  }

  /** The hash key of every (row, group); a bad row fails here, before any I/O. */
  private byte[][][] keys(ServiceReader sr, List<Map<String, Object>> entityRows, int rowOffset) {
    String service = sr.service.name();
    int n = entityRows.size();
    int m = sr.groups.size();
    byte[][][] keys = new byte[n][m][];
    for (int r = 0; r < n; r++) {
      Map<String, Object> row = entityRows.get(r);
      if (row == null) {
        throw new BadRequestException("Cannot fetch features of service '" + service + "': entity row " + (rowOffset + r)
            + " is null");
      }
      int rowIndex = rowOffset + r;
      @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
      List<Object>[] byEntity = new List[sr.entities.size()]; // groups of one entity share its key
      for (int g = 0; g < m; g++) {
        GroupReader gr = sr.groups.get(g);
        int entity = sr.entityOfGroup[g];
        if (byEntity[entity] == null) {
          byEntity[entity] = sr.entityKey(service, sr.entities.get(entity), row, rowIndex);
        }
        keys[r][g] = layout.keyBytes(gr.group, byEntity[entity]);
      }
    }
    return keys;
  }

  private ServiceReader service(String name) {
    ServiceReader sr = services.get(name);
    if (sr == null) {
      if (plan.service(name).isPresent()) {
        throw new BadRequestException("Cannot serve feature service '" + name + "': it reads a group that is not online");
      }
      throw new UnknownServiceException(name);
    }
    return sr;
  }

  /** An unknown feature service (the server answers 404). */
  public static final class UnknownServiceException extends UnknownNameException {
    UnknownServiceException(String name) {
      super("Cannot serve feature service '" + name + "': no such service in the plan");
    }
  }

  /**
   * A read exactly as of an instant the store can no longer answer for a key: it holds an event of
   * the key at or after the instant (a later materialize or stream write), and tiles, roll-ups and
   * trimming keep only what reads after the latest event need.
   */
  public static final class InstantNotAnswerableException extends BadRequestException {
    private final long earliestAnswerable;

    InstantNotAnswerableException(String group, int row, long latest, long t) {
      super("Cannot read group '" + group + "' for entity row " + row + " as of " + Durations.formatInstant(t)
          + ": the online store already holds its events up to " + Durations.formatInstant(latest)
          + "; it answers as of " + Durations.formatInstant(latest + 1) + " or later (read earlier instants from the offline tables)");
      this.earliestAnswerable = latest + 1;
    }

    /** The earliest instant the store can answer for the key that failed the read. */
    public long earliestAnswerable() {
      return earliestAnswerable;
    }
  }

  /** A feature no online group has (the server answers 404). */
  public static final class UnknownFeatureException extends UnknownNameException {
    UnknownFeatureException(String ref) {
      super("Cannot serve feature '" + ref + "': no online group has it (expected group.feature)");
    }
  }

  public static final class Builder {
    private final CompiledPlan plan;
    private final KvStore store;
    private RedisLayout layout = RedisLayout.standard();
    private Clock clock = Clock.systemUTC();
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private int parallelRows = 32;
    private java.util.function.Supplier<java.util.Set<String>> staleGroups = java.util.Set::of;

    private Builder(CompiledPlan plan, KvStore store) {
      this.plan = Objects.requireNonNull(plan, "plan");
      this.store = Objects.requireNonNull(store, "store");
    }

    public Builder layout(RedisLayout layout) {
      this.layout = Objects.requireNonNull(layout, "layout");
      return this;
    }

    /** The clock that says what now is (tests inject a fixed one). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /**
     * Threads that read one request's chunks (the caller's included) on a store that does not
     * stream ({@link KvStore#parallelReads()} above 1); default the cores, 1 reads every request
     * on the caller's thread.
     */
    public Builder parallelism(int threads) {
      if (threads < 1) {
        throw new IllegalArgumentException("Cannot read with " + threads + " threads: at least 1 is needed");
      }
      this.parallelism = threads;
      return this;
    }

    /** Entity rows below which a chunk is not worth a thread; default 32. */
    public Builder parallelRows(int rows) {
      if (rows < 1) {
        throw new IllegalArgumentException("Cannot split requests into chunks of " + rows + " rows: at least 1 is needed");
      }
      this.parallelRows = rows;
      return this;
    }

    /**
     * The groups whose online data is now older than their freshness (asked once per read of the
     * current values, so it must be cheap: a cached view of the job ledger). Their values are
     * still served, with {@link dev.strata.online.client.FeatureStatus#OUTSIDE_MAX_AGE} instead of
     * PRESENT, and so is a derived value when any group of its service is stale. Reads as of an
     * instant are never marked. Default: none.
     */
    public Builder staleGroups(java.util.function.Supplier<java.util.Set<String>> stale) {
      this.staleGroups = Objects.requireNonNull(stale, "stale");
      return this;
    }

    public OnlineReader build() {
      return new OnlineReader(this);
    }
  }
}
