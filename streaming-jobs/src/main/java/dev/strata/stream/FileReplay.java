package dev.strata.stream;

import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.EventFiles;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Replays the records of a CSV or JSON file in event-time order: record {@code i} of the replay
 * is the {@code i}-th by event time (ties and unreadable records keep their file order; unreadable
 * ones come first and go on to the dead letters). At {@code speed} &gt; 0, event time runs {@code
 * speed} times faster than the wall clock; at 0, as fast as the job reads.
 *
 * <p>The file is read by {@link EventFiles}, exactly as the batch sources and the oracle read it:
 * the same records, the same rows, the same rejects with the same reasons.
 *
 * <p>Used through Flink's generator source, whose checkpointed position is the record index, so
 * a restored job resumes the replay exactly where its checkpoint was.
 */
final class FileReplay implements GeneratorFunction<Long, Parsed> {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final EventFiles.Format format;
  private final EventDecoder decoder;
  private final RecordParser parser;
  private final double speed;

  private transient List<String> records;
  private transient Map<Integer, String> rejects;
  private transient Integer[] order;
  private transient long[] times;
  private transient long wallStartNanos;
  private transient long eventStartMicros;
  private transient boolean started;

  FileReplay(Path path, EventFiles.Format format, EventDecoder decoder, RecordParser parser, double speed) {
    this.path = path.toAbsolutePath().toString();
    this.format = format;
    this.decoder = decoder;
    this.parser = parser;
    this.speed = speed;
  }

  /**
   * The number of records of a file, read where the job is built.
   *
   * @throws IllegalArgumentException (one sentence) when the file cannot be read as events
   */
  static long count(Path file, EventFiles.Format format, EventDecoder decoder) {
    long n = 0;
    try (EventFiles.Reader r = EventFiles.open(file, format, decoder)) {
      while (r.next() != null) {
        n++;
      }
    }
    return n;
  }

  @Override
  public void open(SourceReaderContext context) {
    records = new ArrayList<>();
    rejects = new HashMap<>();
    List<Long> t = new ArrayList<>();
    try (EventFiles.Reader r = EventFiles.open(Path.of(path), format, decoder)) {
      for (EventFiles.Decoded d = r.next(); d != null; d = r.next()) {
        if (!d.isOk()) {
          rejects.put(records.size(), d.reason());
        }
        records.add(d.text());
        t.add(d.isOk() ? decoder.eventTime(d.row()) : Long.MIN_VALUE); // malformed: first
      }
    }
    times = t.stream().mapToLong(Long::longValue).toArray();
    order = new Integer[records.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingLong(i -> times[i])); // stable: ties keep file order
  }

  @Override
  public Parsed map(Long index) throws InterruptedException {
    int i = order[index.intValue()];
    String reject = rejects.get(i);
    if (reject != null) {
      return Parsed.malformed(records.get(i), "malformed record: " + reject);
    }
    if (speed > 0) {
      pace(times[i]);
    }
    // Parsed again rather than kept: holding every parsed row of a large file costs more.
    return parser.parse(records.get(i));
  }

  private void pace(long eventMicros) throws InterruptedException {
    if (!started) {
      started = true;
      wallStartNanos = System.nanoTime();
      eventStartMicros = eventMicros;
      return;
    }
    long dueNanos = wallStartNanos + (long) ((eventMicros - eventStartMicros) * 1000.0 / speed);
    long wait = dueNanos - System.nanoTime();
    if (wait > 0) {
      TimeUnit.NANOSECONDS.sleep(wait);
    }
  }
}
