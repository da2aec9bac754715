package dev.strata.stream;

import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;

/**
 * Passes every element on unchanged and counts it in the Flink accumulator {@code name}: the
 * job's result carries the sum over all subtasks, on a MiniCluster as on a cluster, for the
 * summary line of a bounded run ({@link RunCounters}).
 */
final class Counted<T> extends RichMapFunction<T, T> {
  private static final long serialVersionUID = 1L;

  private final String name;
  private transient LongCounter counter;

  Counted(String name) {
    this.name = name;
  }

  @Override
  public void open(OpenContext context) {
    counter = new LongCounter();
    getRuntimeContext().addAccumulator(name, counter);
  }

  @Override
  public T map(T value) {
    counter.add(1L);
    return value;
  }
}
