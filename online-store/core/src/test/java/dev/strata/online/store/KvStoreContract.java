package dev.strata.online.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The {@link KvStore} guarantees, run on every implementation: each subclass gives a fresh store
 * and a key prefix no other test uses.
 */
public abstract class KvStoreContract {
  protected abstract KvStore store();

  /** A prefix for this run's keys (the Redis stores share a database with other tests). */
  protected abstract String prefix();

  protected byte[] key(String name) {
    return (prefix() + ":{" + name + "}").getBytes(StandardCharsets.UTF_8);
  }

  static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static List<String> text(List<byte[]> values) {
    List<String> out = new ArrayList<>();
    values.forEach(v -> out.add(v == null ? null : new String(v, StandardCharsets.UTF_8)));
    return out;
  }

  /** Reads, checking that every request is answered exactly once. */
  static List<List<byte[]>> get(KvStore store, List<KvStore.Get> gets) {
    List<List<byte[]>> out = new ArrayList<>();
    gets.forEach(g -> out.add(null));
    int[] calls = new int[gets.size()];
    store.multiGet(gets, (i, values) -> {
      calls[i]++;
      assertThat(values).hasSize(gets.get(i).fields().names().size());
      out.set(i, values);
    });
    for (int c : calls) {
      assertThat(c).isEqualTo(1);
    }
    return out;
  }

  @Test
  public void absentKeysAndFieldsReadAsNullsInOrder() {
    KvStore store = store();
    store.multiPut(List.of(new KvStore.Put(key("a"), List.of(b("x")), List.of(b("1")), List.of(), 0)));
    KvStore.Fields fields = store.fields(List.of(b("y"), b("x"), b("z")));
    List<List<byte[]>> got = get(store, List.of(new KvStore.Get(key("a"), fields), new KvStore.Get(key("nope"), fields)));
    assertThat(text(got.get(0))).containsExactly(null, "1", null);
    assertThat(text(got.get(1))).containsExactly(null, null, null);
  }

  @Test
  public void putsSetThenDeleteAndLeaveOtherFields() {
    KvStore store = store();
    byte[] k = key("p");
    store.multiPut(List.of(new KvStore.Put(k, List.of(b("a"), b("b"), b("c")), List.of(b("1"), b("2"), b("3")), List.of(), 0)));
    // Set b, delete c (and an absent d): a is untouched.
    store.multiPut(List.of(new KvStore.Put(k, List.of(b("b")), List.of(b("22")), List.of(b("c"), b("d")), 60_000)));
    List<List<byte[]>> got = get(store, List.of(new KvStore.Get(k, store.fields(List.of(b("a"), b("b"), b("c"))))));
    assertThat(text(got.get(0))).containsExactly("1", "22", null);
    assertThat(store.fieldNames(List.of(k, key("none"))).stream().map(KvStoreContract::text).toList())
        .satisfies(names -> {
          assertThat(names.get(0)).containsExactlyInAnyOrder("a", "b");
          assertThat(names.get(1)).isEmpty();
        });
    // A field set and deleted by one put is deleted (sets first, then deletes).
    store.multiPut(List.of(new KvStore.Put(k, List.of(b("e")), List.of(b("5")), List.of(b("e")), 0)));
    assertThat(text(get(store, List.of(new KvStore.Get(k, store.fields(List.of(b("e")))))).get(0))).containsExactly((String) null);
  }

  @Test
  public void binaryKeysFieldsAndValuesRoundTrip() {
    KvStore store = store();
    Random random = new Random(3);
    Map<String, byte[]> values = new HashMap<>();
    List<byte[]> fields = new ArrayList<>();
    List<byte[]> vals = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      byte[] f = new byte[1 + random.nextInt(20)];
      random.nextBytes(f);
      f[0] = (byte) i; // distinct
      byte[] v = new byte[random.nextInt(300)];
      random.nextBytes(v);
      fields.add(f);
      vals.add(v);
      values.put(java.util.HexFormat.of().formatHex(f), v);
    }
    byte[] k = key("bin\u0000ärger");
    store.multiPut(List.of(new KvStore.Put(k, fields, vals, List.of(), 0)));
    List<byte[]> got = get(store, List.of(new KvStore.Get(k, store.fields(fields)))).get(0);
    for (int i = 0; i < fields.size(); i++) {
      assertThat(got.get(i)).isEqualTo(values.get(java.util.HexFormat.of().formatHex(fields.get(i))));
    }
  }

  /** Many keys in one call (several streamed chunks), each with its own fields. */
  @Test
  public void largeReadsAnswerEveryRequest() {
    KvStore store = store();
    List<KvStore.Put> puts = new ArrayList<>();
    for (int i = 0; i < 700; i++) {
      puts.add(new KvStore.Put(key("k" + i), List.of(b("v"), b("i")), List.of(b("value" + i), b(Integer.toString(i))), List.of(), 0));
    }
    store.multiPut(puts);
    KvStore.Fields fields = store.fields(List.of(b("i"), b("missing"), b("v")));
    List<KvStore.Get> gets = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      gets.add(new KvStore.Get(key("k" + (i % 800)), fields)); // some absent, some repeated
    }
    List<List<byte[]>> got = get(store, gets);
    for (int i = 0; i < gets.size(); i++) {
      int k = i % 800;
      assertThat(text(got.get(i))).containsExactly(k < 700 ? Integer.toString(k) : null, null, k < 700 ? "value" + k : null);
    }
  }

  /** A reply handler that fails part way leaves the store usable for the next call. */
  @Test
  public void aFailingHandlerLeavesTheStoreUsable() {
    KvStore store = store();
    List<KvStore.Put> puts = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      puts.add(new KvStore.Put(key("h" + i), List.of(b("v")), List.of(b("x" + i)), List.of(), 0));
    }
    store.multiPut(puts);
    KvStore.Fields fields = store.fields(List.of(b("v")));
    List<KvStore.Get> gets = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      gets.add(new KvStore.Get(key("h" + i), fields));
    }
    for (int round = 0; round < 5; round++) {
      int[] seen = {0};
      assertThatThrownBy(() -> store.multiGet(gets, (i, v) -> {
        if (++seen[0] == 150) {
          throw new IllegalStateException("the caller failed");
        }
      })).isInstanceOf(IllegalStateException.class).hasMessage("the caller failed");
      List<List<byte[]>> got = get(store, gets);
      for (int i = 0; i < 300; i++) {
        assertThat(text(got.get(i))).containsExactly("x" + i);
      }
    }
  }

  @Test
  public void concurrentCallsEachGetTheirOwnReplies() throws Exception {
    KvStore store = store();
    List<KvStore.Put> puts = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      puts.add(new KvStore.Put(key("c" + i), List.of(b("v")), List.of(b("c" + i)), List.of(), 0));
    }
    store.multiPut(puts);
    KvStore.Fields fields = store.fields(List.of(b("v")));
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        runs.add(pool.submit(() -> {
          for (int round = 0; round < 10; round++) {
            List<KvStore.Get> gets = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
              gets.add(new KvStore.Get(key("c" + ((i + offset * 7) % 200)), fields));
            }
            List<List<byte[]>> got = get(store, gets);
            for (int i = 0; i < 200; i++) {
              assertThat(text(got.get(i))).containsExactly("c" + ((i + offset * 7) % 200));
            }
          }
          return null;
        }));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  public void badPutsAreRefusedBeforeAnyIo() {
    assertThatThrownBy(() -> new KvStore.Put(key("x"), List.of(b("a")), List.of(), List.of(), 0))
        .hasMessage("Cannot write a key: 1 fields but 0 values");
    assertThatThrownBy(() -> new KvStore.Put(key("x"), List.of(), List.of(), List.of(), -1))
        .hasMessage("Cannot write a key with a negative TTL: -1");
  }
}
