package dev.strata.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/**
 * A Flink sink over a {@link TileSink}: keeps the latest state of each changed tile and writes
 * them in one batch on every checkpoint (Flink flushes writers before the barrier passes, so a
 * completed checkpoint never covers tiles that are not written), after {@code flushIntervalMs}
 * or once {@code maxPending} tiles wait.
 */
final class TileSinkAdapter implements Sink<TileWrite> {
  private static final long serialVersionUID = 1L;

  private final TileSink.Factory factory;
  private final long flushIntervalMs;
  private final int maxPending;

  TileSinkAdapter(TileSink.Factory factory, long flushIntervalMs, int maxPending) {
    this.factory = factory;
    this.flushIntervalMs = flushIntervalMs;
    this.maxPending = maxPending;
  }

  @Override
  public SinkWriter<TileWrite> createWriter(WriterInitContext context) throws IOException {
    return new Writer(factory.open(), context.getProcessingTimeService(), flushIntervalMs, maxPending,
        context.metricGroup().counter("tilesWritten"));
  }

  private static final class Writer implements SinkWriter<TileWrite> {
    private final TileSink sink;
    private final ProcessingTimeService time;
    private final long intervalMs;
    private final int maxPending;
    private final Counter written;
    private final Map<String, TileWrite> pending = new LinkedHashMap<>();
    private IOException failure;

    Writer(TileSink sink, ProcessingTimeService time, long intervalMs, int maxPending, Counter written) {
      this.sink = sink;
      this.time = time;
      this.intervalMs = intervalMs;
      this.maxPending = maxPending;
      this.written = written;
      schedule();
    }

    private void schedule() {
      time.registerTimer(time.getCurrentProcessingTime() + intervalMs, now -> {
        try {
          flushPending();
        } catch (IOException e) {
          failure = e; // rethrown on the next write: the task fails and restarts from its checkpoint
        }
        schedule();
      });
    }

    @Override
    public void write(TileWrite tile, Context context) throws IOException {
      rethrow();
      pending.merge(tile.id(), tile, (earlier, later) -> later.replacing(earlier));
      if (pending.size() >= maxPending) {
        flushPending();
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      rethrow();
      flushPending();
    }

    private void flushPending() throws IOException {
      if (pending.isEmpty()) {
        return;
      }
      sink.write(new ArrayList<>(pending.values()));
      written.inc(pending.size());
      pending.clear();
    }

    private void rethrow() throws IOException {
      if (failure != null) {
        IOException e = failure;
        failure = null;
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      sink.close();
    }
  }
}
