package dev.strata.online.store;

import java.util.List;
import redis.clients.jedis.Connection;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A standalone Redis. Reads stream over one pooled connection: chunks of HMGETs are written two
 * ahead, and each chunk's replies go to the caller while Redis serves the next, so Redis and the
 * caller's merging overlap on one thread. A failure part way reads what is still owed, so the
 * connection goes back to the pool clean (or broken, and is dropped). With {@code streamRequests}
 * 0, reads use one pipeline per call, and a caller may split a request over the pool's connections.
 */
final class RedisStandaloneKvStore extends RedisKvStore {
  private final RedisClient client;
  private final int streamRequests;

  RedisStandaloneKvStore(RedisClient client, boolean owns, int streamRequests) {
    super(client, owns);
    this.client = client;
    this.streamRequests = streamRequests;
  }

  @Override
  public void multiGet(List<Get> requests, Replies replies) {
    if (streamRequests == 0) {
      pipelinedGet(requests, inOrder(requests.size()), replies);
      return;
    }
    int n = requests.size();
    int chunks = (n + streamRequests - 1) / streamRequests;
    Connection connection;
    try {
      connection = client.getPool().getResource();
    } catch (JedisException e) {
      throw failed(e);
    }
    long sent = 0;
    long received = 0;
    try (Connection c = connection) {
      try {
        for (int ahead = 0; ahead < Math.min(2, chunks); ahead++) {
          sent += send(c, requests, ahead * streamRequests, Math.min(n, (ahead + 1) * streamRequests));
        }
        for (int chunk = 0; chunk < chunks; chunk++) {
          int from = chunk * streamRequests;
          int to = Math.min(n, from + streamRequests);
          // Flushes what was written ahead, then blocks for this chunk's replies only.
          List<Object> got = c.getMany(to - from);
          received += got.size();
          if (chunk + 2 < chunks) {
            sent += send(c, requests, (chunk + 2) * streamRequests, Math.min(n, (chunk + 3) * streamRequests));
          }
          for (int i = from; i < to; i++) {
            replies.accept(i, hashFields(got.get(i - from)));
          }
        }
      } catch (RuntimeException e) {
        drain(c, sent - received);
        if (e instanceof JedisException) {
          throw failed(e);
        }
        throw e;
      }
    }
  }

  @Override
  public int parallelReads() {
    if (streamRequests > 0) {
      return 1;
    }
    int max = client.getPool().getMaxTotal();
    return max > 0 ? max : Integer.MAX_VALUE;
  }

  private static int send(Connection c, List<Get> requests, int from, int to) {
    for (int i = from; i < to; i++) {
      c.sendCommand(hmget(requests.get(i)));
    }
    return to - from;
  }

  /** Reads replies still owed after a failure, so the pooled connection is not left mid-stream. */
  static void drain(Connection c, long owed) {
    try {
      if (owed > 0) {
        c.getMany((int) owed);
      }
    } catch (RuntimeException ignored) {
      // a connection that fails here is marked broken and the pool drops it
    }
  }

  @SuppressWarnings("unchecked")
  static List<byte[]> hashFields(Object reply) {
    if (reply instanceof JedisException e) {
      throw e; // an error reply, e.g. WRONGTYPE when a key is not a hash
    }
    return (List<byte[]>) reply;
  }
}
