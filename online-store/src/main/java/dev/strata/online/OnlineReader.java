package dev.strata.online;

import dev.strata.dsl.agg.RowAggregator;
import dev.strata.dsl.expr.BoundExpression;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledDerived;
import dev.strata.dsl.plan.CompiledPlan.CompiledEntity;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledService;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.tile.EncodedTiles;
import dev.strata.dsl.tile.FeatureAssembler;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.tile.TileGeometry;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.TimeDomain;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.dsl.types.Schema;
import java.nio.charset.StandardCharsets;
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
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.BuilderFactory;
import redis.clients.jedis.CommandArguments;
import redis.clients.jedis.CommandObject;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Protocol;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.args.Rawable;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.util.JedisClusterCRC16;
import redis.clients.jedis.util.Pool;

/**
 * Online feature values as of now: for N entity rows and the M groups of a service, one
 * pipelined round trip of HMGETs fetches exactly the roll-up blocks the windows need (see {@link
 * RedisLayout}), {@link FeatureAssembler} merges and finishes them, and derived features are
 * evaluated on the result.
 *
 * <p>As-of-now semantics: the store holds only events before now, so the newest block read
 * (which may reach past now) is the open head of each window. Thread-safe.
 */
public final class OnlineReader {
  private final CompiledPlan plan;
  private final UnifiedJedis redis;
  private final RedisLayout layout;
  private final Clock clock;
  private final Map<String, GroupReader> groups = new HashMap<>();
  private final Map<String, ServiceReader> services = new HashMap<>();
  private final Map<List<String>, ServiceReader> adHoc = new java.util.concurrent.ConcurrentHashMap<>();
  private final int parallelRows;
  private final int parallelism;
  private final Pool<Connection> pool; // standalone Redis: reads stream over one pooled connection
  private final RedisClusterClient cluster; // Redis Cluster: nodes are borrowed from in one fixed order
  private final boolean streamCluster; // reads stream over one connection per node
  private final java.util.concurrent.atomic.AtomicReferenceArray<HostAndPort> slotOwners =
      new java.util.concurrent.atomic.AtomicReferenceArray<>(16384);
  private final int streamRows;
  private volatile int connectionsPerNode; // the pool's size per node, learnt on first use

  private OnlineReader(Builder b) {
    this.plan = b.plan;
    this.redis = b.redis;
    this.layout = b.layout;
    this.clock = b.clock;
    this.parallelRows = b.parallelRows;
    this.parallelism = b.parallelism;
    this.pool = b.streamRows > 0 && redis instanceof RedisClient client ? client.getPool() : null;
    this.cluster = redis instanceof RedisClusterClient c ? c : null;
    this.streamCluster = b.streamRows > 0 && cluster != null;
    this.streamRows = b.streamRows;
    for (CompiledGroup g : plan.groups()) {
      if (g.online()) {
        groups.put(g.name(), new GroupReader(GroupTiler.of(plan, g.name())));
      }
    }
    for (CompiledService s : plan.services()) {
      if (s.groups().stream().allMatch(groups::containsKey)) {
        services.put(s.name(), new ServiceReader(s));
      }
    }
  }

  public static Builder builder(CompiledPlan plan, UnifiedJedis redis) {
    return new Builder(plan, redis);
  }

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
   * @throws IllegalArgumentException for an unknown service, a missing key or a key of the wrong type
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
        throw new IllegalArgumentException("Cannot fetch features: the feature list is empty");
      }
      List<ServiceFeature> features = new ArrayList<>();
      for (String ref : refs) {
        String[] parts = ref.split("[.:]", 2);
        GroupReader gr = parts.length == 2 ? groups.get(parts[0]) : null;
        CompiledFeature f = gr == null ? null : gr.group.feature(parts[1]).orElse(null);
        if (f == null) {
          throw new UnknownFeatureException(ref);
        }
        features.add(new ServiceFeature(f.qualifiedName(), gr.group.name(), f.name(), f.type()));
      }
      sr = new ServiceReader(new CompiledService("(features)", features, List.of(), null));
      if (adHoc.size() < 1000) {
        adHoc.put(refs, sr);
      }
    }
    return read(sr, entityRows, nowMicros, exact);
  }

  /**
   * Standalone Redis streams the request over one connection ({@link #readStreamed}), a cluster
   * over one connection per node ({@link #readClusterStreamed}). With {@code streamRows(0)}, big
   * requests are cut into chunks, each with its own pipelined round trip, that the caller's and
   * helper threads take in turn: Redis serves one chunk while another chunk's blocks are merged.
   */
  private OnlineFeatures read(ServiceReader sr, List<Map<String, Object>> entityRows, long nowMicros, boolean exact) {
    int n = entityRows.size();
    if (pool != null) {
      return readStreamed(sr, entityRows, nowMicros, exact);
    }
    if (streamCluster) {
      OnlineFeatures streamed = readClusterStreamed(sr, entityRows, nowMicros, exact);
      if (streamed != null) {
        return streamed;
      }
      // a slot moved under the read: the cluster pipeline below follows the new owner
    }
    int chunks = parallelism == 1 ? 1 : Math.min(n / parallelRows, 2 * parallelism);
    if (chunks < 2) {
      return readChunk(sr, entityRows, 0, nowMicros, exact);
    }
    int size = (n + chunks - 1) / chunks;
    int count = (n + size - 1) / size;
    OnlineFeatures[] results = new OnlineFeatures[count];
    java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
    Runnable work = () -> {
      for (int c = next.getAndIncrement(); c < count; c = next.getAndIncrement()) {
        int from = c * size;
        results[c] = readChunk(sr, entityRows.subList(from, Math.min(n, from + size)), from, nowMicros, exact);
      }
    };
    List<Future<?>> helpers = new ArrayList<>();
    for (int h = 1; h < Math.min(Math.min(parallelism, count), connectionsPerNode()); h++) {
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
        throw re; // the same exception a sequential read throws (bad row, Redis down)
      }
      throw new OnlineStoreException("Cannot read online features: " + e.getCause(), e.getCause());
    } finally {
      next.set(count); // a failed chunk stops the others from taking more
      helpers.forEach(f -> f.cancel(false));
    }
    return OnlineFeatures.concat(List.of(results));
  }

  /**
   * How many connections the pool lends per Redis node. Each thread of a request holds one per
   * node it reads until its pipeline is read, so more threads than this would only wait for
   * each other's connections (and, on a pool of one, take turns behind the caller).
   */
  private int connectionsPerNode() {
    int known = connectionsPerNode;
    if (known > 0) {
      return known;
    }
    int max = -1;
    boolean learnt = true;
    if (redis instanceof RedisClient client) {
      max = client.getPool().getMaxTotal();
    } else if (cluster != null) {
      learnt = false; // no node pool yet: ask again next time
      for (ConnectionPool nodePool : cluster.getClusterNodes().values()) { // a copy of the node map: read once
        max = nodePool.getMaxTotal(); // one pool configuration for every node
        learnt = true;
        break;
      }
    }
    int perNode = max > 0 ? max : Integer.MAX_VALUE;
    if (learnt) {
      connectionsPerNode = perNode;
    }
    return perNode;
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

  /** Rows {@code rowOffset…} of a request: keys (a bad row fails before any I/O), one pipeline, assembly. */
  private OnlineFeatures readChunk(ServiceReader sr, List<Map<String, Object>> entityRows, int rowOffset, long nowMicros,
      boolean exact) {
    int n = entityRows.size();
    int m = sr.groups.size();
    byte[][][] keys = keys(sr, entityRows, rowOffset);
    ReadPlan plan = new ReadPlan(sr, nowMicros, exact);
    @SuppressWarnings("unchecked")
    Response<List<byte[]>>[][] responses = new Response[n][m];
    try (AbstractPipeline p = redis.pipelined()) {
      if (cluster != null) {
        // The cluster pipeline borrows a node's connection at its first command: nodes in one order.
        for (List<Integer> commands : commandsByNode(keys, m).values()) {
          for (int command : commands) {
            int r = command / m;
            int g = command % m;
            responses[r][g] = p.executeCommand(plan.hmget(keys[r][g], g));
          }
        }
      } else {
        for (int r = 0; r < n; r++) {
          for (int g = 0; g < m; g++) {
            responses[r][g] = p.executeCommand(plan.hmget(keys[r][g], g));
          }
        }
      }
      p.sync();
    } catch (JedisException e) {
      throw redisFailed(e);
    }
    Assembly out = new Assembly(sr, plan, n, nowMicros, rowOffset);
    @SuppressWarnings("unchecked")
    List<byte[]>[] got = new List[m];
    for (int r = 0; r < n; r++) {
      for (int g = 0; g < m; g++) {
        try {
          got[g] = responses[r][g].get();
        } catch (JedisException e) {
          throw redisFailed(e);
        }
      }
      out.row(r, got);
    }
    return out.result();
  }

  /**
   * A standalone Redis read streamed over one connection: chunks of rows are written ahead and
   * each chunk is merged while Redis serves the next, so Redis and the merging overlap on one
   * thread. Replies are read in order; a failure part way drains what is still owed, so the
   * connection goes back to the pool clean (or broken, and is dropped).
   */
  private OnlineFeatures readStreamed(ServiceReader sr, List<Map<String, Object>> entityRows, long nowMicros, boolean exact) {
    int n = entityRows.size();
    int m = sr.groups.size();
    byte[][][] keys = keys(sr, entityRows, 0);
    ReadPlan plan = new ReadPlan(sr, nowMicros, exact);
    Assembly out = new Assembly(sr, plan, n, nowMicros, 0);
    int chunks = (n + streamRows - 1) / streamRows;
    @SuppressWarnings("unchecked")
    List<byte[]>[] got = new List[m];
    Connection connection;
    try {
      connection = pool.getResource();
    } catch (JedisException e) {
      throw redisFailed(e);
    }
    long sent = 0;
    long received = 0;
    try (Connection c = connection) {
      try {
        for (int ahead = 0; ahead < Math.min(2, chunks); ahead++) {
          sent += send(c, plan, keys, ahead * streamRows, Math.min(n, (ahead + 1) * streamRows));
        }
        for (int chunk = 0; chunk < chunks; chunk++) {
          int from = chunk * streamRows;
          int to = Math.min(n, from + streamRows);
          // Flushes what was written ahead, then blocks for this chunk's replies only.
          List<Object> replies = c.getMany((to - from) * m);
          received += replies.size();
          if (chunk + 2 < chunks) {
            sent += send(c, plan, keys, (chunk + 2) * streamRows, Math.min(n, (chunk + 3) * streamRows));
          }
          for (int r = from, i = 0; r < to; r++) {
            for (int g = 0; g < m; g++) {
              got[g] = hashFields(replies.get(i++));
            }
            out.row(r, got);
          }
        }
      } catch (RuntimeException e) {
        drain(c, sent - received);
        if (e instanceof JedisException) {
          throw redisFailed(e);
        }
        throw e;
      }
    }
    return out.result();
  }

  /**
   * A Redis Cluster read streamed per node: every node's HMGETs are sent before any reply is read,
   * then each node's replies are read in turn and its rows merged while the other nodes are still
   * answering. One connection per node, borrowed for the request. Null when a slot has moved
   * (MOVED/ASK): the caller then reads through the cluster pipeline, which follows redirections.
   */
  private OnlineFeatures readClusterStreamed(ServiceReader sr, List<Map<String, Object>> entityRows, long nowMicros,
      boolean exact) {
    int n = entityRows.size();
    int m = sr.groups.size();
    byte[][][] keys = keys(sr, entityRows, 0);
    ReadPlan plan = new ReadPlan(sr, nowMicros, exact);
    Assembly out = new Assembly(sr, plan, n, nowMicros, 0);
    List<NodeStream> byNode = new ArrayList<>();
    int[] waiting = new int[n]; // replies a row still waits for
    java.util.Arrays.fill(waiting, m);
    boolean moved = false;
    boolean nodeFailed = false;
    try {
      try {
        for (Map.Entry<HostAndPort, List<Integer>> owned : commandsByNode(keys, m).entrySet()) {
          ConnectionPool nodePool = cluster.getClusterNodes().get(owned.getKey().toString());
          if (nodePool == null) {
            return null; // the topology changed: let the cluster pipeline find the owner
          }
          byNode.add(new NodeStream(nodePool.getResource(), owned.getValue()));
        }
        for (NodeStream node : byNode) {
          for (int command : node.commands) {
            node.connection.sendCommand(plan.hmgetArguments(keys[command / m][command % m], command % m));
            node.sent++;
          }
          node.connection.getMany(0); // flushes, so every node works while the first is read
        }
        @SuppressWarnings("unchecked")
        List<byte[]>[][] got = new List[n][m];
        for (NodeStream node : byNode) {
          List<Object> replies = node.connection.getMany(node.sent);
          node.received = node.sent;
          for (int i = 0; i < replies.size(); i++) {
            int command = node.commands.get(i);
            if (replies.get(i) instanceof JedisRedirectionException) {
              moved = true;
              continue;
            }
            got[command / m][command % m] = hashFields(replies.get(i));
            int r = command / m;
            if (--waiting[r] == 0 && !moved) {
              out.row(r, got[r]);
            }
          }
        }
      } catch (RuntimeException e) {
        for (NodeStream node : byNode) {
          drain(node.connection, node.sent - node.received);
        }
        // A node may be gone (failover): learn the owners again, once the connections are back.
        nodeFailed = e instanceof JedisException && !(e instanceof JedisDataException);
        if (e instanceof JedisException) {
          throw redisFailed(e);
        }
        throw e;
      }
    } finally {
      for (NodeStream node : byNode) {
        try {
          node.connection.close();
        } catch (RuntimeException ignored) {
          // a broken connection whose pool is already gone: nothing to return it to
        }
      }
      if (nodeFailed) {
        forgetSlots();
      }
    }
    if (moved) {
      forgetSlots();
      return null;
    }
    return out.result();
  }

  /**
   * The commands (row · groups + group) of a request by the node that owns their key, nodes in
   * host and port order. Every request borrows its nodes' connections in this one order, so
   * concurrent requests on a busy pool wait for each other instead of each holding a connection
   * the other needs. Owners are all learnt before any connection is borrowed.
   */
  private java.util.SortedMap<HostAndPort, List<Integer>> commandsByNode(byte[][][] keys, int m) {
    java.util.SortedMap<HostAndPort, List<Integer>> byNode = new java.util.TreeMap<>(
        java.util.Comparator.comparing(HostAndPort::getHost).thenComparingInt(HostAndPort::getPort));
    for (int r = 0; r < keys.length; r++) {
      for (int g = 0; g < m; g++) {
        byNode.computeIfAbsent(nodeOf(JedisClusterCRC16.getSlot(keys[r][g])), k -> new ArrayList<>()).add(r * m + g);
      }
    }
    return byNode;
  }

  /** The node that serves a slot, as Jedis's slot cache says; remembered until a slot moves. */
  private HostAndPort nodeOf(int slot) {
    HostAndPort node = slotOwners.get(slot);
    if (node == null) {
      try (Connection c = cluster.getConnectionFromSlot(slot)) { // borrowed only to learn its node
        node = c.getHostAndPort();
      }
      slotOwners.set(slot, node);
    }
    return node;
  }

  private void forgetSlots() {
    for (int i = 0; i < slotOwners.length(); i++) {
      slotOwners.set(i, null);
    }
    try {
      cluster.refreshClusterTopology();
    } catch (RuntimeException ignored) {
      // no node answers now: the next read asks Jedis again, and fails clearly if still none does
    }
  }

  /** The commands (row · groups + group) a request sends to one cluster node, in order. */
  private static final class NodeStream {
    final Connection connection;
    final List<Integer> commands;
    int sent;
    int received;

    NodeStream(Connection connection, List<Integer> commands) {
      this.connection = connection;
      this.commands = commands;
    }
  }

  private static int send(Connection c, ReadPlan plan, byte[][][] keys, int from, int to) {
    int commands = 0;
    for (int r = from; r < to; r++) {
      for (int g = 0; g < keys[r].length; g++) {
        c.sendCommand(plan.hmgetArguments(keys[r][g], g));
        commands++;
      }
    }
    return commands;
  }

  private static OnlineStoreException redisFailed(RuntimeException e) {
    return new OnlineStoreException("Cannot read online features: Redis failed (" + e.getMessage() + ")", e);
  }

  /** Reads replies still owed after a failure, so the pooled connection is not left mid-stream. */
  private static void drain(Connection c, long owed) {
    try {
      if (owed > 0) {
        c.getMany((int) owed);
      }
    } catch (RuntimeException ignored) {
      // a connection that fails here is marked broken and the pool drops it
    }
  }

  @SuppressWarnings("unchecked")
  private static List<byte[]> hashFields(Object reply) {
    if (reply instanceof JedisException e) {
      throw e; // an error reply, e.g. WRONGTYPE when a key is not a hash
    }
    return (List<byte[]>) reply;
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
        throw new IllegalArgumentException("Cannot fetch features of service '" + service + "': entity row " + (rowOffset + r)
            + " is null");
      }
      int rowIndex = rowOffset + r;
      @SuppressWarnings("unchecked")
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

  /** What a read as of one instant fetches per group: the fields of the blocks its windows need. */
  private static final class ReadPlan {
    final List<List<long[]>> blocks; // per group: {spec, block start, block span} per field after @t
    final Rawable[][] fields; // per group: @t, then one field per block
    final boolean exact; // an explicit instant: refuse keys the store holds later events of

    ReadPlan(ServiceReader sr, long nowMicros, boolean exact) {
      this.exact = exact;
      int m = sr.groups.size();
      blocks = new ArrayList<>(m);
      fields = new Rawable[m][];
      for (int g = 0; g < m; g++) {
        TileGeometry geometry = sr.groups.get(g).geometry;
        List<long[]> groupBlocks = new ArrayList<>();
        List<Rawable> f = new ArrayList<>();
        f.add(new RawBytes(RedisLayout.LATEST_FIELD_BYTES));
        for (int s = 0; s < geometry.specCount(); s++) {
          long hop = geometry.hop(s);
          for (TileGeometry.Block b : geometry.cover(s, nowMicros)) {
            groupBlocks.add(new long[] {s, b.start(), b.span()});
            f.add(new RawBytes(RedisLayout.fieldBytes(hop, b.span(), b.start())));
          }
        }
        fields[g] = f.toArray(new Rawable[0]);
        blocks.add(groupBlocks);
      }
    }

    // Arguments wrapped, not copied: Jedis's own byte[] arguments copy every key and field.
    CommandArguments hmgetArguments(byte[] key, int group) {
      CommandArguments args = new CommandArguments(Protocol.Command.HMGET).key(new RawBytes(key));
      for (Rawable field : fields[group]) {
        args.add(field);
      }
      return args;
    }

    CommandObject<List<byte[]>> hmget(byte[] key, int group) {
      return new CommandObject<>(hmgetArguments(key, group), BuilderFactory.BINARY_LIST);
    }
  }

  /** The values, statuses and times of a request's rows, filled row by row from HMGET replies. */
  private static final class Assembly {
    final ServiceReader sr;
    final ReadPlan plan;
    final long nowMicros;
    final int rowOffset; // of these rows in the request, for messages
    final List<List<EncodedTiles>> scratch;
    final Object[][] values;
    final FeatureStatus[][] statuses;
    final long[][] times;

    Assembly(ServiceReader sr, ReadPlan plan, int rows, long nowMicros, int rowOffset) {
      this.sr = sr;
      this.rowOffset = rowOffset;
      this.plan = plan;
      this.nowMicros = nowMicros;
      int m = sr.groups.size();
      this.scratch = new ArrayList<>(m);
      for (int g = 0; g < m; g++) {
        scratch.add(sr.groups.get(g).scratch(plan.blocks.get(g).size()));
      }
      int width = sr.names.size();
      this.values = new Object[rows][width];
      this.statuses = new FeatureStatus[rows][width];
      this.times = new long[rows][width];
    }

    /** Row r from the replies of its groups (@t first, then the plan's blocks). */
    void row(int r, List<byte[]>[] got) {
      Object[] row = values[r];
      long freshest = OnlineFeatures.NO_TIME;
      boolean anyFound = false;
      for (int g = 0; g < got.length; g++) {
        GroupReader gr = sr.groups.get(g);
        List<byte[]> fields = got[g];
        FeatureStatus status;
        Object[] groupValues = null;
        long latest = OnlineFeatures.NO_TIME;
        if (fields.get(0) == null) {
          status = FeatureStatus.NOT_FOUND;
        } else {
          latest = RedisLayout.parseLatest(fields.get(0));
          if (plan.exact && latest >= nowMicros) {
            throw new InstantNotAnswerableException(gr.group.name(), rowOffset + r, latest, nowMicros);
          }
          Long ttl = gr.group.ttlMicros();
          if (ttl != null && nowMicros - latest >= ttl) {
            status = FeatureStatus.OUTSIDE_TTL;
          } else {
            status = FeatureStatus.PRESENT;
            anyFound = true;
            try {
              groupValues = gr.assemble(nowMicros, plan.blocks.get(g), fields, scratch.get(g));
            } catch (IllegalArgumentException e) {
              // The store's bytes, not the request, are wrong: a store failure (the server's 503), not a 400.
              throw new OnlineStoreException("Cannot read online features: the stored blocks of group '" + gr.group.name()
                  + "' for entity row " + (rowOffset + r) + " are not valid (" + e.getMessage() + ")", e);
            }
          }
          freshest = Math.max(freshest, latest);
        }
        int[] out = sr.columns.get(g);
        int[] from = sr.featureIndexes.get(g);
        for (int i = 0; i < out.length; i++) {
          row[out[i]] = groupValues == null ? null : groupValues[from[i]];
          statuses[r][out[i]] = status;
          times[r][out[i]] = latest;
        }
      }
      for (int d = 0; d < sr.derived.size(); d++) {
        int col = sr.features + d;
        row[col] = sr.derived.get(d).eval(row);
        statuses[r][col] = anyFound ? FeatureStatus.PRESENT : FeatureStatus.NOT_FOUND;
        times[r][col] = freshest;
      }
    }

    OnlineFeatures result() {
      return new OnlineFeatures(sr.names, sr.types, values, statuses, times, nowMicros);
    }
  }

  private ServiceReader service(String name) {
    ServiceReader sr = services.get(name);
    if (sr == null) {
      if (plan.service(name).isPresent()) {
        throw new IllegalArgumentException("Cannot serve feature service '" + name + "': it reads a group that is not online");
      }
      throw new UnknownServiceException(name);
    }
    return sr;
  }

  /** An unknown feature service (the server answers 404). */
  public static final class UnknownServiceException extends IllegalArgumentException {
    UnknownServiceException(String name) {
      super("Cannot serve feature service '" + name + "': no such service in the plan");
    }
  }

  /**
   * A read exactly as of an instant the store can no longer answer for a key: it holds an event of
   * the key at or after the instant (a later materialize or stream write), and tiles, roll-ups and
   * trimming keep only what reads after the latest event need.
   */
  public static final class InstantNotAnswerableException extends IllegalArgumentException {
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
  public static final class UnknownFeatureException extends IllegalArgumentException {
    UnknownFeatureException(String ref) {
      super("Cannot serve feature '" + ref + "': no online group has it (expected group.feature)");
    }
  }

  private final class ServiceReader {
    final CompiledService service;
    final List<GroupReader> groups = new ArrayList<>();
    final List<int[]> columns = new ArrayList<>();
    final List<int[]> featureIndexes = new ArrayList<>();
    final List<BoundExpression> derived = new ArrayList<>();
    final List<String> names = new ArrayList<>();
    final List<DataType> types = new ArrayList<>();
    final List<Field> keyFields = new ArrayList<>();
    final List<String> entities = new ArrayList<>(); // distinct, in first-use order
    final int[] entityOfGroup; // index into entities
    final int features;

    ServiceReader(CompiledService service) {
      this.service = service;
      Schema schema = service.schema();
      for (String g : service.groups()) {
        GroupReader gr = OnlineReader.this.groups.get(g);
        groups.add(gr);
        List<Integer> cols = new ArrayList<>();
        List<Integer> idx = new ArrayList<>();
        for (int i = 0; i < service.features().size(); i++) {
          ServiceFeature f = service.features().get(i);
          if (f.group().equals(g)) {
            cols.add(i);
            CompiledFeature cf = gr.group.feature(f.feature()).orElseThrow();
            idx.add(gr.group.features().indexOf(cf));
          }
        }
        columns.add(cols.stream().mapToInt(Integer::intValue).toArray());
        featureIndexes.add(idx.stream().mapToInt(Integer::intValue).toArray());
        CompiledEntity e = plan.entity(gr.group.entity()).orElseThrow();
        for (Field k : e.keys()) {
          if (keyFields.stream().noneMatch(x -> x.name().equals(k.name()))) {
            keyFields.add(k);
          }
        }
      }
      this.entityOfGroup = new int[groups.size()];
      for (int g = 0; g < groups.size(); g++) {
        String entity = groups.get(g).group.entity();
        if (!entities.contains(entity)) {
          entities.add(entity);
        }
        entityOfGroup[g] = entities.indexOf(entity);
      }
      this.features = service.features().size();
      for (CompiledDerived d : service.derived()) {
        derived.add(BoundExpression.bind(d.expr(), schema));
      }
      for (int i = 0; i < schema.size(); i++) {
        names.add(schema.field(i).name());
        types.add(schema.field(i).type());
      }
    }

    List<Object> entityKey(String serviceName, String entity, Map<String, Object> row, int rowIndex) {
      CompiledEntity e = plan.entity(entity).orElseThrow();
      Object[] key = new Object[e.keys().size()];
      for (int i = 0; i < key.length; i++) {
        Field k = e.keys().get(i);
        Object v = row.get(k.name());
        if (v == null) {
          throw new IllegalArgumentException("Cannot fetch features of service '" + serviceName + "': entity row "
              + rowIndex + " has no value for key '" + k.name() + "'");
        }
        key[i] = EntityKeys.coerce(v, k.type(), serviceName, k.name(), rowIndex);
      }
      return List.of(key);
    }
  }

  /** Per group: the assembler and the aggregators that decode blocks. */
  private static final class GroupReader {
    final CompiledGroup group;
    final TileGeometry geometry;
    final FeatureAssembler assembler;
    final RowAggregator[] aggregators;

    GroupReader(GroupTiler tiler) {
      this.group = tiler.group();
      this.geometry = tiler.geometry();
      this.assembler = new FeatureAssembler(tiler);
      this.aggregators = new RowAggregator[group.tiles().size()];
      for (int s = 0; s < aggregators.length; s++) {
        aggregators[s] = tiler.aggregator(s);
      }
    }

    /**
     * Blocks stand in for tiles: window starts cut the blocks, so each window is a union of whole
     * blocks, and the block starting at floor(now, hop), if any, is the open head. The assembler
     * merges straight from the bytes Redis returned.
     */
    /** One scratch list per chunk and group: the encoded tiles of each spec, cleared per key. */
    List<EncodedTiles> scratch(int blocks) {
      List<EncodedTiles> tiles = new ArrayList<>(aggregators.length);
      for (RowAggregator rows : aggregators) {
        tiles.add(new EncodedTiles(rows, blocks));
      }
      return tiles;
    }

    Object[] assemble(long now, List<long[]> blocks, List<byte[]> got, List<EncodedTiles> tiles) {
      tiles.forEach(EncodedTiles::clear);
      for (int i = 0; i < blocks.size(); i++) {
        byte[] bytes = got.get(i + 1);
        if (bytes != null) {
          long[] b = blocks.get(i);
          tiles.get((int) b[0]).add(b[1], bytes);
        }
      }
      return assembler.valuesAsOf(now, tiles);
    }
  }

  public static final class Builder {
    private final CompiledPlan plan;
    private final UnifiedJedis redis;
    private RedisLayout layout = RedisLayout.standard();
    private Clock clock = Clock.systemUTC();
    private int parallelism = Runtime.getRuntime().availableProcessors();
    private int parallelRows = 32;
    private int streamRows = 20;

    private Builder(CompiledPlan plan, UnifiedJedis redis) {
      this.plan = Objects.requireNonNull(plan, "plan");
      this.redis = Objects.requireNonNull(redis, "redis");
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
     * Threads that read one request's chunks (the caller's included) with {@link #streamRows(int)
     * streamRows(0)}; default the cores, 1 reads every request on the caller's thread.
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
     * Entity rows per streamed chunk on a standalone Redis (default 20): chunks are written ahead
     * and merged while Redis serves the next. A cluster streams per node instead (every node's
     * commands sent first, each node's rows merged while the others answer). 0 reads with
     * pipelines per request instead (the cluster's own pipeline against a cluster).
     */
    public Builder streamRows(int rows) {
      if (rows < 0) {
        throw new IllegalArgumentException("Cannot stream chunks of " + rows + " rows: at least 0 is needed");
      }
      this.streamRows = rows;
      return this;
    }

    public OnlineReader build() {
      return new OnlineReader(this);
    }
  }
}
