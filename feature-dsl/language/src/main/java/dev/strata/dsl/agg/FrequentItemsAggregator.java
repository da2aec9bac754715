package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.datasketches.common.ArrayOfBooleansSerDe;
import org.apache.datasketches.common.ArrayOfDoublesSerDe;
import org.apache.datasketches.common.ArrayOfItemsSerDe;
import org.apache.datasketches.common.ArrayOfLongsSerDe;
import org.apache.datasketches.common.ArrayOfStringsSerDe;
import org.apache.datasketches.frequencies.ErrorType;
import org.apache.datasketches.frequencies.ItemsSketch;
import org.apache.datasketches.memory.Memory;

/**
 * approx_top_k(n): a DataSketches frequent-items sketch ({@link ItemsSketch}) with a map of
 * max(128, 16·n) entries rounded up to a power of two; finish is a map of the n items with the
 * highest estimated counts (ties by ascending item), iterating in that order. Counts are exact
 * while the sketch has never purged; after that an estimate errs by at most {@code
 * 3.5 / mapSize} of the stream length ({@link ItemsSketch#getMaximumError}).
 *
 * <p><b>Canonical bytes only while exact.</b> Until the number of distinct items exceeds 3/4 of
 * the map, the sketch is an exact item → count map; the IR then encodes the items sorted with
 * their counts and decoding rebuilds the sketch, so these IRs are byte-deterministic. Past that,
 * the library purges by decrementing all counters by a sampled median, and which items survive
 * depends on arrival order; those IRs are encoded in the library's format (deterministic for a
 * given update order, not across orders) and agree across merge orders only within the error.
 *
 * <p>Encoding: version, then 0 + varint count + items in ascending order (bigint/timestamp as
 * varint deltas) + their counts as varints, or 1 + the length-prefixed library image.
 */
final class FrequentItemsAggregator extends BaseAggregator<ItemsSketch<Object>> {
  private static final int KIND_EXACT = 0;
  private static final int KIND_SKETCH = 1;

  private final int n;
  private final int maxMapSize;
  private final ValueCodec codec;
  private final ArrayOfItemsSerDe<Object> serDe;

  FrequentItemsAggregator(DataType inputType, int n) {
    super(AggregationFunction.APPROX_TOP_K, inputType, DataType.mapOf(inputType, DataType.LONG));
    this.n = n;
    this.maxMapSize = Integer.highestOneBit(Math.max(128, 16 * n) * 2 - 1);
    this.codec = ValueCodec.of(inputType);
    this.serDe = serDe(codec);
  }

  @SuppressWarnings("unchecked")
  private static ArrayOfItemsSerDe<Object> serDe(ValueCodec codec) {
    ArrayOfItemsSerDe<?> serDe =
        switch (codec) {
          case BOOLEAN -> new ArrayOfBooleansSerDe();
          case LONG -> new ArrayOfLongsSerDe();
          case DOUBLE -> new ArrayOfDoublesSerDe();
          case STRING -> new ArrayOfStringsSerDe();
        };
    return (ArrayOfItemsSerDe<Object>) serDe;
  }

  int maxMapSize() {
    return maxMapSize;
  }

  @Override
  public ItemsSketch<Object> create() {
    return new ItemsSketch<>(maxMapSize);
  }

  @Override
  public ItemsSketch<Object> update(ItemsSketch<Object> ir, Object value, long eventMicros) {
    if (value != null) {
      ir.update(codec.normalize(codec.check(value, function(), inputType())));
    }
    return ir;
  }

  @Override
  public ItemsSketch<Object> merge(ItemsSketch<Object> a, ItemsSketch<Object> b) {
    return a.merge(b);
  }

  @Override
  public Object finish(ItemsSketch<Object> ir) {
    if (ir.isEmpty()) {
      return null;
    }
    List<ItemsSketch.Row<Object>> rows =
        new ArrayList<>(Arrays.asList(ir.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES)));
    rows.sort(
        (a, b) -> {
          int byEstimate = Long.compare(b.getEstimate(), a.getEstimate());
          return byEstimate != 0 ? byEstimate : codec.compare(a.getItem(), b.getItem());
        });
    Map<Object, Long> result = new LinkedHashMap<>();
    for (ItemsSketch.Row<Object> row : rows.subList(0, Math.min(n, rows.size()))) {
      result.put(row.getItem(), row.getEstimate());
    }
    return Collections.unmodifiableMap(result);
  }

  @Override
  public ItemsSketch<Object> copy(ItemsSketch<Object> ir) {
    return ItemsSketch.getInstance(Memory.wrap(ir.toByteArray(serDe)), serDe);
  }

  @Override
  void encodeBody(ItemsSketch<Object> ir, DataOutput out) throws IOException {
    if (ir.getMaximumError() != 0) {
      out.writeByte(KIND_SKETCH);
      Varints.writeBytes(out, ir.toByteArray(serDe));
      return;
    }
    // never purged: the rows are the exact counts of every item seen
    ItemsSketch.Row<Object>[] rows = ir.getFrequentItems(ErrorType.NO_FALSE_NEGATIVES);
    List<Object> items = new ArrayList<>(rows.length);
    Map<Object, Long> counts = new HashMap<>();
    for (ItemsSketch.Row<Object> row : rows) {
      items.add(row.getItem());
      counts.put(row.getItem(), row.getEstimate());
    }
    items.sort(codec);
    out.writeByte(KIND_EXACT);
    Varints.writeCount(out, items.size());
    codec.writeAscending(out, items);
    for (Object item : items) {
      Varints.writeUnsignedLong(out, counts.get(item));
    }
  }

  @Override
  ItemsSketch<Object> decodeBody(DataInput in) throws IOException {
    int kind = in.readUnsignedByte();
    if (kind == KIND_SKETCH) {
      byte[] image = Varints.readBytes(in);
      try {
        return ItemsSketch.getInstance(Memory.wrap(image), serDe);
      } catch (RuntimeException e) {
        throw new IOException("invalid frequent items sketch: " + e.getMessage(), e);
      }
    } else if (kind != KIND_EXACT) {
      throw new IOException("invalid sketch kind " + kind);
    }
    int count = Varints.readCount(in);
    if (count > maxMapSize) {
      throw new IOException(count + " exact items is more than the sketch holds");
    }
    List<Object> items = codec.readAscending(in, count);
    ItemsSketch<Object> sketch = create();
    for (Object item : items) {
      long itemCount = Varints.readUnsignedLong(in);
      if (itemCount <= 0) {
        throw new IOException("invalid item count " + itemCount);
      }
      sketch.update(item, itemCount);
    }
    return sketch;
  }
}
