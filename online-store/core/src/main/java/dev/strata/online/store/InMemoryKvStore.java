package dev.strata.online.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A {@link KvStore} in this JVM's memory, for fast tests of read planning, assembly, roll-ups and
 * trimming without a server. Keeps the expiry asked for (see {@link #ttlMillis}) but never
 * expires a key. Each key's map is updated under the key's lock, so a put is applied whole to
 * readers of that key. Values are copied in and out: callers may reuse their arrays.
 */
public final class InMemoryKvStore implements KvStore {
  private final Map<ByteBuffer, Entry> keys = new ConcurrentHashMap<>();
  private long gets;
  private long puts;

  private static final class Entry {
    final Map<ByteBuffer, byte[]> fields = new LinkedHashMap<>();
    long ttlMillis;
  }

  private record NamedFields(List<byte[]> names) implements Fields {}

  @Override
  public Fields fields(List<byte[]> names) {
    List<byte[]> copy = new ArrayList<>(names.size());
    names.forEach(n -> copy.add(n.clone()));
    return new NamedFields(Collections.unmodifiableList(copy));
  }

  @Override
  public void multiGet(List<Get> requests, Replies replies) {
    for (int i = 0; i < requests.size(); i++) {
      Get get = requests.get(i);
      Entry e = keys.get(ByteBuffer.wrap(get.key()));
      List<byte[]> values = new ArrayList<>(get.fields().names().size());
      if (e == null) {
        get.fields().names().forEach(n -> values.add(null));
      } else {
        synchronized (e) {
          for (byte[] name : get.fields().names()) {
            byte[] v = e.fields.get(ByteBuffer.wrap(name));
            values.add(v == null ? null : v.clone());
          }
        }
      }
      synchronized (this) {
        gets++;
      }
      replies.accept(i, values);
    }
  }

  @Override
  public List<List<byte[]>> fieldNames(List<byte[]> keyList) {
    List<List<byte[]>> out = new ArrayList<>(keyList.size());
    for (byte[] key : keyList) {
      Entry e = keys.get(ByteBuffer.wrap(key));
      List<byte[]> names = new ArrayList<>();
      if (e != null) {
        synchronized (e) {
          e.fields.keySet().forEach(b -> names.add(bytes(b)));
        }
      }
      out.add(names);
    }
    return out;
  }

  @Override
  public void multiPut(List<Put> putList) {
    for (Put put : putList) {
      Entry e = keys.computeIfAbsent(ByteBuffer.wrap(put.key().clone()), k -> new Entry());
      synchronized (e) {
        for (int i = 0; i < put.fields().size(); i++) {
          e.fields.put(ByteBuffer.wrap(put.fields().get(i).clone()), put.values().get(i).clone());
        }
        for (byte[] d : put.deletes()) {
          e.fields.remove(ByteBuffer.wrap(d));
        }
        e.ttlMillis = put.ttlMillis(); // a key left with no fields reads as absent, as in Redis
      }
      synchronized (this) {
        puts++;
      }
    }
  }

  /** The key's fields and values, or an empty map (a copy, fields as UTF-8 text). */
  public Map<String, byte[]> hash(byte[] key) {
    Entry e = keys.get(ByteBuffer.wrap(key));
    Map<String, byte[]> out = new LinkedHashMap<>();
    if (e != null) {
      synchronized (e) {
        e.fields.forEach((k, v) -> out.put(new String(bytes(k), java.nio.charset.StandardCharsets.UTF_8), v.clone()));
      }
    }
    return out;
  }

  /** The expiry last asked for the key (0: none), or -1 when the key does not exist. */
  public long ttlMillis(byte[] key) {
    Entry e = keys.get(ByteBuffer.wrap(key));
    return e == null ? -1 : e.ttlMillis;
  }

  /** Every key, as UTF-8 text. */
  public List<String> keys() {
    List<String> out = new ArrayList<>();
    keys.keySet().forEach(k -> out.add(new String(bytes(k), java.nio.charset.StandardCharsets.UTF_8)));
    Collections.sort(out);
    return out;
  }

  /** Reads and puts served so far (one per request or put). */
  public synchronized long[] calls() {
    return new long[] {gets, puts};
  }

  private static byte[] bytes(ByteBuffer b) {
    return Arrays.copyOfRange(b.array(), b.arrayOffset() + b.position(), b.arrayOffset() + b.limit());
  }
}
