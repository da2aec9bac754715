package dev.strata.online.store;

import java.util.List;
import java.util.Objects;

/**
 * The key-value contract under the online reader and writer: keys hold maps of fields to bytes
 * (a Redis hash). Everything the online store does to its storage goes through these four
 * calls, so a store is an implementation of this interface and the layout, read planning,
 * assembly, roll-ups and trimming above it are the same on every store.
 *
 * <p>Guarantees of every implementation:
 *
 * <ul>
 *   <li>{@link #multiGet} hands each request's reply to the handler exactly once, before it
 *       returns, with one value per requested field in the requested order ({@code null} for a
 *       field or key that is absent). Replies may come in any order and while later requests are
 *       still in flight; they come on the calling thread.
 *   <li>{@link #multiPut}: for each put, its fields are set before its deletes are applied and
 *       its expiry after both, so a reader never sees a field a put replaces missing. Puts of
 *       different keys are not ordered. When it returns, every put is applied and durable as the
 *       store is configured to be; when it throws, any subset may be applied, each key's in the
 *       order above.
 *   <li>A failure of the store is an {@link dev.strata.online.OnlineStoreException} naming it; the
 *       store stays usable for the next call (connections are returned clean or dropped).
 *   <li>Thread-safe.
 * </ul>
 */
public interface KvStore extends AutoCloseable {

  /** A list of field names prepared once and used by many reads (e.g. one per group and instant). */
  interface Fields {
    /** The names, in order. */
    List<byte[]> names();
  }

  /** Prepares field names for reads: a store may keep them in its own wire form. */
  Fields fields(List<byte[]> names);

  /** One read: the values of {@code fields} of {@code key}. */
  record Get(byte[] key, Fields fields) {
    public Get {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(fields, "fields");
    }
  }

  /** Receives the reply of request {@code index} (its position in the list given to multiGet). */
  @FunctionalInterface
  interface Replies {
    void accept(int index, List<byte[]> values);
  }

  /** Reads the requests (see the class guarantees). */
  void multiGet(List<Get> requests, Replies replies);

  /** The field names of each key, in the keys' order (empty for an absent key). */
  List<List<byte[]>> fieldNames(List<byte[]> keys);

  /**
   * One write to a key: set {@code fields[i]} to {@code values[i]}, then delete {@code deletes},
   * then expire the key after {@code ttlMillis} (0: never expires).
   */
  record Put(byte[] key, List<byte[]> fields, List<byte[]> values, List<byte[]> deletes, long ttlMillis) {
    public Put {
      Objects.requireNonNull(key, "key");
      if (fields.size() != values.size()) {
        throw new IllegalArgumentException("Cannot write a key: " + fields.size() + " fields but " + values.size() + " values");
      }
      if (ttlMillis < 0) {
        throw new IllegalArgumentException("Cannot write a key with a negative TTL: " + ttlMillis);
      }
    }
  }

  /** Applies the puts (see the class guarantees). */
  void multiPut(List<Put> puts);

  /**
   * How many threads may usefully split one request's reads into parallel {@link #multiGet}
   * calls: 1 for a store that overlaps its I/O with the caller's work itself, the connections it
   * can lend per server for one that does not.
   */
  default int parallelReads() {
    return 1;
  }

  /** Releases what the store holds (connections); a store opened on a client the caller owns leaves it open. */
  @Override
  default void close() {}
}
