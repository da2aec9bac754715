package dev.strata.online.store;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReferenceArray;
import redis.clients.jedis.Connection;
import redis.clients.jedis.ConnectionPool;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;
import redis.clients.jedis.exceptions.JedisRedirectionException;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * A Redis Cluster. Reads stream per node: every node's HMGETs are sent before any reply is read,
 * then each node's replies are read in turn and handed to the caller while the other nodes are
 * still answering; one connection per node, borrowed for the call. Every call borrows its nodes'
 * connections in one order (host, port), with all owners learnt first, so concurrent calls on a
 * small pool wait for each other instead of each holding a connection another needs. When a slot
 * has moved (MOVED/ASK), the requests not yet answered are read again through the cluster's
 * pipeline, which follows redirections; a node that fails makes the store learn the owners again.
 */
final class RedisClusterKvStore extends RedisKvStore {
  private final RedisClusterClient cluster;
  private final boolean streamed;
  private final AtomicReferenceArray<HostAndPort> slotOwners = new AtomicReferenceArray<>(16384);
  private volatile int connectionsPerNode; // the pool's size per node, learnt on first use

  RedisClusterKvStore(RedisClusterClient cluster, boolean owns, boolean streamed) {
    super(cluster, owns);
    this.cluster = cluster;
    this.streamed = streamed;
  }

  @Override
  public void multiGet(List<Get> requests, Replies replies) {
    boolean[] answered = new boolean[requests.size()];
    if (streamed && streamedGet(requests, answered, replies)) {
      return;
    }
    List<Integer> rest = new ArrayList<>();
    for (int i = 0; i < answered.length; i++) {
      if (!answered[i]) {
        rest.add(i);
      }
    }
    // The cluster pipeline borrows a node's connection at its first command: nodes in one order.
    int[] order = byNode(requests, rest).values().stream().flatMap(List::stream).mapToInt(Integer::intValue).toArray();
    pipelinedGet(requests, order, replies);
  }

  /** True when every request was answered; false when a slot moved (the rest is still to read). */
  private boolean streamedGet(List<Get> requests, boolean[] answered, Replies replies) {
    List<Integer> all = new ArrayList<>(requests.size());
    for (int i = 0; i < requests.size(); i++) {
      all.add(i);
    }
    List<NodeStream> nodes = new ArrayList<>();
    boolean moved = false;
    boolean nodeFailed = false;
    try {
      try {
        for (Map.Entry<HostAndPort, List<Integer>> owned : byNode(requests, all).entrySet()) {
          ConnectionPool pool = cluster.getClusterNodes().get(owned.getKey().toString());
          if (pool == null) {
            return false; // the topology changed: the cluster pipeline finds the owners
          }
          nodes.add(new NodeStream(pool.getResource(), owned.getValue()));
        }
        for (NodeStream node : nodes) {
          for (int i : node.requests) {
            node.connection.sendCommand(hmget(requests.get(i)));
            node.sent++;
          }
          node.connection.getMany(0); // flushes, so every node works while the first is read
        }
        for (NodeStream node : nodes) {
          List<Object> got = node.connection.getMany(node.sent);
          node.received = node.sent;
          boolean nodeMoved = got.stream().anyMatch(r -> r instanceof JedisRedirectionException);
          if (nodeMoved) {
            moved = true;
            continue; // this node's requests are read again below
          }
          for (int k = 0; k < got.size(); k++) {
            int i = node.requests.get(k);
            replies.accept(i, RedisStandaloneKvStore.hashFields(got.get(k)));
            answered[i] = true;
          }
        }
      } catch (RuntimeException e) {
        for (NodeStream node : nodes) {
          RedisStandaloneKvStore.drain(node.connection, node.sent - node.received);
        }
        // A node may be gone (failover): learn the owners again, once the connections are back.
        nodeFailed = e instanceof JedisException && !(e instanceof JedisDataException);
        if (e instanceof JedisException) {
          throw failed(e);
        }
        throw e;
      }
    } finally {
      for (NodeStream node : nodes) {
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
      return false;
    }
    return true;
  }

  /** The requests by the node that owns their key, nodes in host and port order. */
  private SortedMap<HostAndPort, List<Integer>> byNode(List<Get> requests, List<Integer> indexes) {
    SortedMap<HostAndPort, List<Integer>> out = new TreeMap<>(
        Comparator.comparing(HostAndPort::getHost).thenComparingInt(HostAndPort::getPort));
    for (int i : indexes) {
      out.computeIfAbsent(nodeOf(JedisClusterCRC16.getSlot(requests.get(i).key())), k -> new ArrayList<>()).add(i);
    }
    return out;
  }

  /** The node that serves a slot, as Jedis's slot cache says; remembered until a slot moves. */
  private HostAndPort nodeOf(int slot) {
    HostAndPort node = slotOwners.get(slot);
    if (node == null) {
      try (Connection c = cluster.getConnectionFromSlot(slot)) { // borrowed only to learn its node
        node = c.getHostAndPort();
      } catch (JedisException e) {
        throw failed(e);
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

  @Override
  public int parallelReads() {
    if (streamed) {
      return 1;
    }
    int known = connectionsPerNode;
    if (known > 0) {
      return known;
    }
    for (ConnectionPool pool : cluster.getClusterNodes().values()) { // a copy of the node map: read once
      int max = pool.getMaxTotal(); // one pool configuration for every node
      connectionsPerNode = max > 0 ? max : Integer.MAX_VALUE;
      return connectionsPerNode;
    }
    return 1; // no node pool yet: ask again next time
  }

  /** The requests a call sends to one node, in order. */
  private static final class NodeStream {
    final Connection connection;
    final List<Integer> requests;
    int sent;
    int received;

    NodeStream(Connection connection, List<Integer> requests) {
      this.connection = connection;
      this.requests = requests;
    }
  }
}
