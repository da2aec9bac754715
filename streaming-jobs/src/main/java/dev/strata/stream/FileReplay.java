package dev.strata.stream;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.connector.datagen.source.GeneratorFunction;

/**
 * Replays the records of a file in event-time order: record {@code i} of the replay is the
 * {@code i}-th by event time (ties and unreadable records keep their file order; unreadable ones
 * come first and go on to the dead letters). At {@code speed} &gt; 0, event time runs {@code speed}
 * times faster than the wall clock; at 0, as fast as the job reads.
 *
 * <p>Used through Flink's generator source, whose checkpointed position is the record index, so
 * a restored job resumes the replay exactly where its checkpoint was.
 */
final class FileReplay implements GeneratorFunction<Long, Parsed> {
  private static final long serialVersionUID = 1L;

  private final String path;
  private final boolean header;
  private final RecordParser parser;
  private final double speed;

  private transient List<String> records;
  private transient Integer[] order;
  private transient long[] times;
  private transient long wallStartNanos;
  private transient long eventStartMicros;
  private transient boolean started;

  FileReplay(Path path, boolean header, RecordParser parser, double speed) {
    this.path = path.toAbsolutePath().toString();
    this.header = header;
    this.parser = parser;
    this.speed = speed;
  }

  /** The records of a file: its non-blank lines, less the header line if it has one. */
  static List<String> records(Path file, boolean header) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return lines.stream().skip(header ? 1 : 0).filter(l -> !l.isBlank()).toList();
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void open(SourceReaderContext context) {
    records = records(Path.of(path), header);
    times = new long[records.size()];
    for (int i = 0; i < times.length; i++) {
      times[i] = parser.parse(records.get(i)).micros(); // malformed: Long.MIN_VALUE, first
    }
    order = new Integer[records.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, Comparator.comparingLong(i -> times[i])); // stable: ties keep file order
  }

  @Override
  public Parsed map(Long index) throws InterruptedException {
    int i = order[index.intValue()];
    if (speed > 0 && times[i] != Long.MIN_VALUE) {
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
