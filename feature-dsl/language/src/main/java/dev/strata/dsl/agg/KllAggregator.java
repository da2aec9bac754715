package dev.strata.dsl.agg;

import dev.strata.dsl.types.DataType;
import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import org.apache.datasketches.kll.KllDoublesSketch;
import org.apache.datasketches.memory.Memory;

/**
 * approx_percentile(p…): a DataSketches KLL doubles sketch with k = 200 (normalized rank error
 * about 1.3% at 99% confidence, {@link KllDoublesSketch#getNormalizedRankError}), quantiles with
 * the library's default INCLUSIVE search. One percentile finishes to a double, several to an
 * array of doubles. bigint inputs are converted to double; NaN inputs are ignored (KLL cannot
 * order them), so all-NaN is empty and finishes to NULL.
 *
 * <p><b>Canonical bytes only while exact.</b> Up to k values the IR keeps the values themselves
 * — exactly KLL's own exact mode — and encodes them sorted, so such IRs (most tiles) are
 * byte-deterministic, and finish answers from a sketch rebuilt from the sorted values. Past k
 * values the IR becomes a real KLL sketch, whose content is not order-independent: level 0
 * holds items in arrival order and every compaction keeps the odd or even half by a coin flip
 * from the library's shared, unseeded {@code java.util.Random}. Those IRs are encoded in the
 * library's compact format; their bytes differ between runs and merge orders, and their
 * quantiles agree only within the rank error above.
 *
 * <p>Encoding: version, then 0 + varint count + the values in ascending order (an integral
 * value below 2^53 as varint (zigzag(v) &lt;&lt; 1), anything else as varint 1 + 8 bytes), or 1
 * + the length-prefixed KLL compact image.
 */
final class KllAggregator extends BaseAggregator<KllAggregator.KllState> {
  static final int K = 200;
  private static final int KIND_EXACT = 0;
  private static final int KIND_SKETCH = 1;
  private static final double MAX_EXACT_INTEGER = 0x1p53;

  static final class KllState {
    private double[] items; // exact values while sketch is null
    private int size;
    private KllDoublesSketch sketch;

    KllState(double[] items, int size, KllDoublesSketch sketch) {
      this.items = items;
      this.size = size;
      this.sketch = sketch;
    }

    boolean isExact() {
      return sketch == null;
    }
  }

  private final double[] percentiles;
  private final boolean longInput;

  KllAggregator(DataType inputType, double[] percentiles) {
    super(
        AggregationFunction.APPROX_PERCENTILE,
        inputType,
        percentiles.length == 1 ? DataType.DOUBLE : DataType.listOf(DataType.DOUBLE));
    this.percentiles = percentiles.clone();
    this.longInput = inputType == DataType.LONG;
  }

  @Override
  public KllState create() {
    return new KllState(new double[0], 0, null);
  }

  @Override
  public KllState update(KllState ir, Object value, long eventMicros) {
    if (value != null) {
      double d =
          longInput
              ? (double) Numbers.asLong(value, function(), inputType())
              : Numbers.asDouble(value, function(), inputType());
      add(ir, d);
    }
    return ir;
  }

  private static void add(KllState ir, double d) {
    if (Double.isNaN(d)) {
      return;
    }
    if (ir.sketch != null) {
      ir.sketch.update(d);
    } else if (ir.size < K) {
      if (ir.size == ir.items.length) {
        ir.items = Arrays.copyOf(ir.items, Math.min(K, Math.max(8, ir.size * 2)));
      }
      ir.items[ir.size++] = d;
    } else {
      toSketch(ir);
      ir.sketch.update(d);
    }
  }

  private static void toSketch(KllState ir) {
    ir.sketch = exactSketch(ir);
    ir.items = null;
    ir.size = 0;
  }

  // Sorted first: the exact-mode sketch then has a content independent of arrival order.
  private static KllDoublesSketch exactSketch(KllState ir) {
    double[] sorted = Arrays.copyOf(ir.items, ir.size);
    Arrays.sort(sorted);
    KllDoublesSketch sketch = KllDoublesSketch.newHeapInstance(K);
    for (double d : sorted) {
      sketch.update(d);
    }
    return sketch;
  }

  @Override
  public KllState merge(KllState a, KllState b) {
    if (b.sketch == null) {
      for (int i = 0; i < b.size; i++) {
        add(a, b.items[i]);
      }
    } else {
      if (a.sketch == null) {
        toSketch(a);
      }
      a.sketch.merge(b.sketch);
    }
    return a;
  }

  @Override
  public Object finish(KllState ir) {
    KllDoublesSketch sketch;
    if (ir.sketch != null) {
      // a query sorts level 0 in place: ask a copy, so finishing never changes the IR's bytes
      sketch = KllDoublesSketch.heapify(Memory.wrap(ir.sketch.toByteArray()));
    } else if (ir.size > 0) {
      sketch = exactSketch(ir);
    } else {
      return null;
    }
    double[] quantiles = sketch.getQuantiles(percentiles);
    if (quantiles.length == 1) {
      return quantiles[0];
    }
    List<Object> values = new ArrayList<>(quantiles.length);
    for (double q : quantiles) {
      values.add(q);
    }
    return Collections.unmodifiableList(values);
  }

  @Override
  public KllState copy(KllState ir) {
    if (ir.sketch != null) {
      return new KllState(null, 0, KllDoublesSketch.heapify(Memory.wrap(ir.sketch.toByteArray())));
    }
    return new KllState(ir.items.clone(), ir.size, null);
  }

  @Override
  void encodeBody(KllState ir, DataOutput out) throws IOException {
    if (ir.sketch != null) {
      out.writeByte(KIND_SKETCH);
      Varints.writeBytes(out, ir.sketch.toByteArray());
      return;
    }
    out.writeByte(KIND_EXACT);
    double[] sorted = Arrays.copyOf(ir.items, ir.size);
    Arrays.sort(sorted);
    Varints.writeCount(out, sorted.length);
    for (double d : sorted) {
      // -0.0 takes the long form: the short form would turn it into 0.0
      boolean negativeZero = Double.doubleToRawLongBits(d) == Long.MIN_VALUE;
      if (d == Math.rint(d) && Math.abs(d) < MAX_EXACT_INTEGER && !negativeZero) {
        long v = (long) d;
        Varints.writeUnsignedLong(out, ((v << 1) ^ (v >> 63)) << 1);
      } else {
        Varints.writeUnsignedLong(out, 1);
        out.writeLong(Double.doubleToLongBits(d));
      }
    }
  }

  @Override
  KllState decodeBody(DataInput in) throws IOException {
    int kind = in.readUnsignedByte();
    if (kind == KIND_SKETCH) {
      byte[] image = Varints.readBytes(in);
      try {
        return new KllState(null, 0, KllDoublesSketch.heapify(Memory.wrap(image)));
      } catch (RuntimeException e) {
        throw new IOException("invalid KLL sketch: " + e.getMessage(), e);
      }
    } else if (kind != KIND_EXACT) {
      throw new IOException("invalid sketch kind " + kind);
    }
    int count = Varints.readCount(in);
    if (count > K) {
      throw new IOException(count + " exact values is more than k = " + K);
    }
    double[] items = new double[count];
    for (int i = 0; i < count; i++) {
      long tagged = Varints.readUnsignedLong(in);
      if ((tagged & 1) == 0) {
        long zigzag = tagged >>> 1;
        items[i] = (double) ((zigzag >>> 1) ^ -(zigzag & 1));
      } else if (tagged == 1) {
        items[i] = Double.longBitsToDouble(in.readLong());
      } else {
        throw new IOException("invalid value tag " + tagged);
      }
    }
    return new KllState(items, count, null);
  }
}
