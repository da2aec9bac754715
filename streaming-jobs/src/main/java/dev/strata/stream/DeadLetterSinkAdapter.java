package dev.strata.stream;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.operators.ProcessingTimeService;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.metrics.Counter;

/**
 * A Flink sink over a {@link DeadLetterSink}: letters are written on every checkpoint, every
 * second, or at 1,000 waiting (metric {@code deadLetters} counts them).
 */
final class DeadLetterSinkAdapter implements Sink<DeadLetter> {
  private static final long serialVersionUID = 1L;
  private static final long FLUSH_INTERVAL_MS = 1000;

  private final DeadLetterSink.Factory factory;

  DeadLetterSinkAdapter(DeadLetterSink.Factory factory) {
    this.factory = factory;
  }

  @Override
  public SinkWriter<DeadLetter> createWriter(WriterInitContext context) throws IOException {
    return new Writer(factory.open(context.getTaskInfo().getIndexOfThisSubtask()), context.getProcessingTimeService(),
        context.metricGroup().counter("deadLetters"));
  }

  private static final class Writer implements SinkWriter<DeadLetter> {
    private final DeadLetterSink sink;
    private final ProcessingTimeService time;
    private final Counter count;
    private final List<DeadLetter> pending = new ArrayList<>();

    Writer(DeadLetterSink sink, ProcessingTimeService time, Counter count) {
      this.sink = sink;
      this.time = time;
      this.count = count;
      schedule();
    }

    private void schedule() {
      time.registerTimer(time.getCurrentProcessingTime() + FLUSH_INTERVAL_MS, now -> {
        flush(false);
        schedule();
      });
    }

    @Override
    public void write(DeadLetter letter, Context ctx) throws IOException {
      pending.add(letter);
      count.inc();
      if (pending.size() >= 1000) {
        flush(false);
      }
    }

    @Override
    public void flush(boolean endOfInput) throws IOException {
      if (!pending.isEmpty()) {
        sink.write(List.copyOf(pending));
        pending.clear();
      }
    }

    @Override
    public void close() throws IOException {
      sink.close();
    }
  }
}
