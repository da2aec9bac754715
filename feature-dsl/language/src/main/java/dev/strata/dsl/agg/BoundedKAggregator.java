package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;

/**
 * first_k, last_k, top_k and bottom_k: the k best events under a total order, kept in a bounded
 * heap (memory O(k)), duplicates kept.
 *
 * <ul>
 *   <li>first_k: the k earliest, oldest first; at equal times smaller values first.
 *   <li>last_k: the k latest, newest first; at equal times larger values first.
 *   <li>top_k: the k largest values, descending. bottom_k: the k smallest, ascending.
 * </ul>
 *
 * <p>Because the order is total over (time, value) (or value), the kept multiset is the k
 * smallest of all events whatever the merge order. Encoding: version, varint count, then the
 * entries in result order — for first_k/last_k a zigzag varint time for the first and unsigned
 * varint time distances after it, each followed by the value; for top_k/bottom_k the values in
 * ascending order (bigint/timestamp as varint deltas).
 */
final class BoundedKAggregator extends BaseAggregator<PriorityQueue<BoundedKAggregator.Entry>> {

  record Entry(long time, Object value) {}

  private final int k;
  private final ValueCodec codec;
  private final boolean timed;
  private final boolean ascendingValues; // result order of top_k/bottom_k values
  private final Comparator<Entry> rank; // smaller is better; the k smallest are kept
  private final Comparator<Entry> worstFirst;

  BoundedKAggregator(AggregationFunction function, DataType inputType, int k) {
    super(function, inputType, DataType.listOf(inputType));
    this.k = k;
    this.codec = ValueCodec.of(inputType);
    Comparator<Entry> byValue = (a, b) -> codec.compare(a.value(), b.value());
    Comparator<Entry> byTimeThenValue =
        Comparator.comparingLong(Entry::time).thenComparing(byValue);
    switch (function) {
      case FIRST_K -> rank = byTimeThenValue;
      case LAST_K -> rank = byTimeThenValue.reversed();
      case BOTTOM_K -> rank = byValue;
      case TOP_K -> rank = byValue.reversed();
      default -> throw new IllegalArgumentException(
          "Cannot create a bounded aggregator for " + function + ": not a k function");
    }
    this.timed = function == AggregationFunction.FIRST_K || function == AggregationFunction.LAST_K;
    this.ascendingValues = function == AggregationFunction.BOTTOM_K;
    this.worstFirst = rank.reversed();
  }

  @Override
  public PriorityQueue<Entry> create() {
    return new PriorityQueue<>(Math.min(k + 1, 16), worstFirst);
  }

  @Override
  public PriorityQueue<Entry> update(PriorityQueue<Entry> ir, Object value, long eventMicros) {
    if (value != null) {
      // top_k/bottom_k ignore time: a constant keeps equal values identical entries
      offer(ir, new Entry(timed ? eventMicros : 0L, codec.check(value, function(), inputType())));
    }
    return ir;
  }

  private void offer(PriorityQueue<Entry> heap, Entry entry) {
    if (heap.size() < k) {
      heap.add(entry);
    } else if (rank.compare(entry, heap.peek()) < 0) {
      heap.poll();
      heap.add(entry);
    }
  }

  @Override
  public PriorityQueue<Entry> merge(PriorityQueue<Entry> a, PriorityQueue<Entry> b) {
    for (Entry entry : b) {
      offer(a, entry);
    }
    return a;
  }

  private List<Entry> sorted(PriorityQueue<Entry> ir) {
    List<Entry> entries = new ArrayList<>(ir);
    entries.sort(rank);
    return entries;
  }

  @Override
  public Object finish(PriorityQueue<Entry> ir) {
    if (ir.isEmpty()) {
      return null;
    }
    List<Object> values = new ArrayList<>(ir.size());
    for (Entry entry : sorted(ir)) {
      values.add(entry.value());
    }
    return Collections.unmodifiableList(values);
  }

  @Override
  public PriorityQueue<Entry> copy(PriorityQueue<Entry> ir) {
    return new PriorityQueue<>(ir);
  }

  @Override
  void encodeBody(PriorityQueue<Entry> ir, DataOutput out) throws IOException {
    List<Entry> entries = sorted(ir);
    Varints.writeCount(out, entries.size());
    if (timed) {
      boolean ascending = function() == AggregationFunction.FIRST_K;
      long previous = 0;
      for (int i = 0; i < entries.size(); i++) {
        Entry entry = entries.get(i);
        if (i == 0) {
          Varints.writeSignedLong(out, entry.time());
        } else {
          // times are monotone in result order: ascending for first_k, descending for last_k;
          // the unsigned 64-bit distance cannot overflow
          Varints.writeUnsignedLong(
              out, ascending ? entry.time() - previous : previous - entry.time());
        }
        previous = entry.time();
        codec.write(out, entry.value());
      }
    } else {
      List<Object> values = new ArrayList<>(entries.size());
      for (Entry entry : entries) {
        values.add(entry.value());
      }
      if (!ascendingValues) {
        Collections.reverse(values);
      }
      codec.writeAscending(out, values);
    }
  }

  @Override
  PriorityQueue<Entry> decodeBody(DataInput in) throws IOException {
    int count = Varints.readCount(in);
    if (count > k) {
      throw new IOException(count + " entries for k = " + k);
    }
    PriorityQueue<Entry> heap = create();
    if (timed) {
      boolean ascending = function() == AggregationFunction.FIRST_K;
      long previous = 0;
      for (int i = 0; i < count; i++) {
        long time;
        if (i == 0) {
          time = Varints.readSignedLong(in);
        } else {
          long distance = Varints.readUnsignedLong(in);
          time = ascending ? previous + distance : previous - distance;
        }
        previous = time;
        heap.add(new Entry(time, codec.read(in)));
      }
    } else {
      for (Object value : codec.readAscending(in, count)) {
        heap.add(new Entry(0L, value));
      }
    }
    return heap;
  }
}
