package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * histogram: the exact count of each distinct non-null value, as a map value → bigint whose
 * iteration order is ascending by value. Like count_distinct the IR grows with the number of
 * distinct values. Doubles compare by SQL equality (0.0 = -0.0, NaN = NaN).
 *
 * <p>Encoding: version, varint count of entries, the values in ascending order (bigint and
 * timestamp as varint deltas), then the counts as varints in the same order.
 */
final class HistogramAggregator extends BaseAggregator<HashMap<Object, Long>> {
  private final ValueCodec codec;

  HistogramAggregator(DataType inputType) {
    super(AggregationFunction.HISTOGRAM, inputType, DataType.mapOf(inputType, DataType.LONG));
    this.codec = ValueCodec.of(inputType);
  }

  @Override
  public HashMap<Object, Long> create() {
    return new HashMap<>();
  }

  @Override
  public HashMap<Object, Long> update(HashMap<Object, Long> ir, Object value, long eventMicros) {
    if (value != null) {
      ir.merge(codec.normalize(codec.check(value, function(), inputType())), 1L, Long::sum);
    }
    return ir;
  }

  @Override
  public HashMap<Object, Long> merge(HashMap<Object, Long> a, HashMap<Object, Long> b) {
    b.forEach((value, count) -> a.merge(value, count, Long::sum));
    return a;
  }

  private List<Object> sortedKeys(Map<Object, Long> ir) {
    List<Object> keys = new ArrayList<>(ir.keySet());
    keys.sort(codec);
    return keys;
  }

  @Override
  public Object finish(HashMap<Object, Long> ir) {
    if (ir.isEmpty()) {
      return null;
    }
    Map<Object, Long> result = new LinkedHashMap<>();
    for (Object key : sortedKeys(ir)) {
      result.put(key, ir.get(key));
    }
    return Collections.unmodifiableMap(result);
  }

  @Override
  public HashMap<Object, Long> copy(HashMap<Object, Long> ir) {
    return new HashMap<>(ir);
  }

  @Override
  void encodeBody(HashMap<Object, Long> ir, DataOutput out) throws IOException {
    List<Object> keys = sortedKeys(ir);
    Varints.writeCount(out, keys.size());
    codec.writeAscending(out, keys);
    for (Object key : keys) {
      Varints.writeUnsignedLong(out, ir.get(key));
    }
  }

  @Override
  HashMap<Object, Long> decodeBody(DataInput in) throws IOException {
    int count = Varints.readCount(in);
    List<Object> keys = codec.readAscending(in, count);
    HashMap<Object, Long> ir = new HashMap<>();
    for (Object key : keys) {
      ir.put(key, Varints.readUnsignedLong(in));
    }
    return ir;
  }
}
