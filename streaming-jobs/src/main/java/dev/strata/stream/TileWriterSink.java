package dev.strata.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;
import dev.strata.online.EncodedTile;
import dev.strata.online.TileWriter;

/**
 * A Flink sink over the online store's {@link TileWriter}: keeps the latest state of each changed tile and writes
 * them in batches, pipelined: a batch is written by one background thread while the task goes on
 * tiling, and the tiles that change meanwhile wait and coalesce (a tile changed ten times is
 * written once), so a slow store makes batches larger instead of stalling the job. A batch is
 * handed over every {@code flushIntervalMs} when none is in flight, and at {@code maxPending}
 * waiting tiles (then the task waits for the batch in flight: memory stays bounded). On every
 * checkpoint the writer waits for the batch in flight and writes the rest (Flink flushes writers
 * before the barrier passes), so a completed checkpoint never covers tiles that are not written.
 * One writer thread per subtask keeps writes of one entity key in order.
 */
final class TileWriterSink implements Sink<EncodedTile> {
  private static final long serialVersionUID = 1L;

  private final TileWriter.Factory factory;
  private final long flushIntervalMs;
  private final int maxPending;

  TileWriterSink(TileWriter.Factory factory, long flushIntervalMs, int maxPending) {
    this.factory = factory;
    this.flushIntervalMs = flushIntervalMs;
    this.maxPending = maxPending;
  }

  @Override
  public SinkWriter<EncodedTile> createWriter(WriterInitContext context) throws IOException {
    return new Writer(factory.open(), context.getProcessingTimeService(), flushIntervalMs, maxPending,
        context.metricGroup().counter("tilesWritten"), "strata-tile-writer-" + context.getTaskInfo().getIndexOfThisSubtask());
  }

  /** All methods run on the task's thread (timers too); only {@link TileWriter#write} runs on the writer thread. */
  private static final class Writer implements SinkWriter<EncodedTile> {
    private final TileWriter sink;
    private final ProcessingTimeService time;
    private final long intervalMs;
    private final int maxPending;
    private final Counter written;
    private final ExecutorService io;
    private Map<EncodedTile.Id, EncodedTile> pending = new LinkedHashMap<>();
    private Future<?> inFlight;
    private IOException failure;

    Writer(TileWriter sink, ProcessingTimeService time, long intervalMs, int maxPending, Counter written, String threadName) {
      this.sink = sink;
      this.time = time;
      this.intervalMs = intervalMs;
      this.maxPending = maxPending;
      this.written = written;
      this.io = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, threadName);
        t.setDaemon(true);
        return t;
      });
      schedule();
    }

    private void schedule() {
      time.registerTimer(time.getCurrentProcessingTime() + intervalMs, now -> {
        if (inFlightDone() && failure == null && !pending.isEmpty()) {
          handOff();
        }
        schedule();
      });
    }

    @Override
    public void write(EncodedTile tile, Context context) throws IOException, InterruptedException {
      rethrow();
      pending.merge(tile.id(), tile, (earlier, later) -> later.replacing(earlier));
      if (pending.size() >= maxPending) {
        awaitInFlight();
        handOff();
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException, InterruptedException {
      awaitInFlight();
      if (!pending.isEmpty()) {
        handOff();
        awaitInFlight();
      }
    }

    /** Hands the waiting tiles to the writer thread; call only when no batch is in flight. */
    private void handOff() {
      List<EncodedTile> batch = new ArrayList<>(pending.values());
      pending = new LinkedHashMap<>();
      inFlight = io.submit(() -> {
        sink.write(batch);
        written.inc(batch.size());
        return null;
      });
    }

    /** True when no batch is in flight; a failed batch becomes {@link #failure}, rethrown on the next write or flush. */
    private boolean inFlightDone() {
      if (inFlight == null) {
        return true;
      }
      if (!inFlight.isDone()) {
        return false;
      }
      try {
        inFlight.get();
      } catch (ExecutionException e) {
        failure = e.getCause() instanceof IOException io ? io : new IOException(StreamJob.rootMessage(e), e.getCause());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inFlight = null;
      return true;
    }

    private void awaitInFlight() throws IOException, InterruptedException {
      if (inFlight != null) {
        try {
          inFlight.get();
        } catch (ExecutionException e) {
          failure = e.getCause() instanceof IOException io ? io : new IOException(StreamJob.rootMessage(e), e.getCause());
        }
        inFlight = null;
      }
      rethrow();
    }

    private void rethrow() throws IOException {
      inFlightDone();
      if (failure != null) {
        // The task fails and restarts from its checkpoint, which rewrites these tiles.
        IOException e = failure;
        failure = null;
        throw e;
      }
    }

    @Override
    public void close() throws IOException {
      io.shutdownNow();
      try {
        io.awaitTermination(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      sink.close();
    }
  }
}
