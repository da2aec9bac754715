package dev.strata.online.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.io.TypedValues;
import dev.strata.online.OnlineFeatures;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ServingLog} of JSON-lines files, one object per entity row:
 *
 * <pre>
 * &lt;dir&gt;/features/date=YYYY-MM-DD/part-&lt;instance&gt;-&lt;n&gt;.jsonl
 *   {"kind":"features","service":…,"request_id":…,"served_at":&lt;micros&gt;,"entities":{…},"features":{…},"statuses":{…}}
 * &lt;dir&gt;/predictions/date=YYYY-MM-DD/part-&lt;instance&gt;-&lt;n&gt;.jsonl
 *   {"kind":"prediction","model":…,"request_id":…,"time":&lt;micros&gt;,"entities":{…},"prediction":…,"label":…}
 *   {"kind":"label","model":…,"request_id":…,"time":&lt;micros&gt;,"label":…}
 * </pre>
 *
 * <p>A file is written as {@code .jsonl.inprogress} and renamed to {@code .jsonl} when it is
 * complete (after the roll interval, at the size limit, at a new day, or on close), so readers
 * take only {@code *.jsonl} and never see half a line. Serving threads only enqueue; one
 * background thread serializes and writes. Sampling is by a hash of the request id, so a
 * request's rows are logged together or not at all.
 */
public final class JsonLinesServingLog implements ServingLog {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesServingLog.class);
  private static final Object STOP = new Object();

  private final Path dir;
  private final double sampleRate;
  private final long rollMillis;
  private final long maxFileBytes;
  private final String instance;
  private final BlockingQueue<Object> queue;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final Map<String, OpenFile> open = new HashMap<>();
  private final Thread writer;
  private volatile boolean closed;
  private long fileSeq;

  private JsonLinesServingLog(Builder b) {
    this.dir = b.dir;
    this.sampleRate = b.sampleRate;
    this.rollMillis = b.roll.toMillis();
    this.maxFileBytes = b.maxFileBytes;
    this.instance = b.instance;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot log served features to " + dir + ": " + e.getMessage(), e);
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException("Cannot log served features to " + dir + ": the directory is not writable");
    }
    this.writer = new Thread(this::run, "strata-serving-log");
    writer.setDaemon(true);
    writer.start();
  }

  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  public Path dir() {
    return dir;
  }

  public double sampleRate() {
    return sampleRate;
  }

  @Override
  public boolean sampled(String requestId) {
    if (sampleRate >= 1.0) {
      return true;
    }
    if (sampleRate <= 0.0) {
      return false;
    }
    // A well-mixed 64-bit hash of the id mapped to [0, 1).
    long h = requestId.hashCode() * 0x9E3779B97F4A7C15L;
    h ^= h >>> 29;
    h *= 0xBF58476D1CE4E5B9L;
    h ^= h >>> 32;
    return (h >>> 11) * 0x1.0p-53 < sampleRate;
  }

  @Override
  public void features(String service, String requestId, long servedAtMicros, List<Map<String, Object>> entityRows,
      OnlineFeatures result) {
    if (closed || !sampled(requestId)) {
      return;
    }
    List<Map<String, Object>> rows = new ArrayList<>(entityRows.size());
    for (Map<String, Object> row : entityRows) {
      rows.add(new LinkedHashMap<>(row)); // the caller may reuse its maps
    }
    if (!queue.offer(new ServedFeatures(service, requestId, servedAtMicros, rows, result))) {
      dropped.addAndGet(entityRows.size());
    }
  }

  @Override
  public void predictions(List<Prediction> predictions) {
    enqueueAll(new ArrayList<>(predictions));
  }

  @Override
  public void labels(List<Label> labels) {
    enqueueAll(new ArrayList<>(labels));
  }

  private void enqueueAll(List<?> records) {
    if (closed) {
      throw new IllegalStateException("Cannot log: the serving log is closed");
    }
    // One queue entry for the whole call: it is taken entirely or refused entirely.
    if (!records.isEmpty() && !queue.offer(records)) {
      throw new LogFullException("Cannot log " + records.size() + " records now: the serving log's queue is full; retry later");
    }
  }

  @Override
  public long dropped() {
    return dropped.get();
  }

  @Override
  public long written() {
    return written.get();
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      queue.put(STOP);
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    try {
      while (true) {
        Object item = queue.poll(200, TimeUnit.MILLISECONDS);
        long nowMillis = System.currentTimeMillis();
        try {
          if (item == STOP) {
            break;
          }
          if (item != null) {
            write(item, line, nowMillis);
            // drain what else is waiting before flushing once
            for (Object next; (next = queue.poll()) != null; ) {
              if (next == STOP) {
                queue.put(STOP);
                break;
              }
              write(next, line, nowMillis);
            }
          }
          flushAndRoll(nowMillis, false);
        } catch (IOException | UncheckedIOException e) {
          LOG.warn("Cannot write the serving log under {}: {}", dir, e.getMessage());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      try {
        flushAndRoll(System.currentTimeMillis(), true);
      } catch (IOException e) {
        LOG.warn("Cannot complete the serving log files under {}: {}", dir, e.getMessage());
      }
    }
  }

  private void write(Object item, ByteArrayOutputStream line, long nowMillis) throws IOException {
    if (item instanceof ServedFeatures s) {
      OnlineFeatures r = s.result;
      for (int row = 0; row < r.size(); row++) {
        line.reset();
        try (JsonGenerator g = json.getFactory().createGenerator(line)) {
          g.writeStartObject();
          g.writeStringField("kind", "features");
          g.writeStringField("service", s.service);
          g.writeStringField("request_id", s.requestId);
          g.writeNumberField("served_at", s.servedAtMicros);
          g.writeFieldName("entities");
          TypedValues.writeUntypedJson(g, s.rows.get(row));
          g.writeObjectFieldStart("features");
          for (int f = 0; f < r.featureNames().size(); f++) {
            g.writeFieldName(r.featureNames().get(f));
            TypedValues.writeJson(g, r.value(row, f), r.featureTypes().get(f));
          }
          g.writeEndObject();
          g.writeObjectFieldStart("statuses");
          for (int f = 0; f < r.featureNames().size(); f++) {
            g.writeStringField(r.featureNames().get(f), r.status(row, f) == dev.strata.online.FeatureStatus.OUTSIDE_TTL
                ? "OUTSIDE_MAX_AGE" : r.status(row, f).name());
          }
          g.writeEndObject();
          g.writeEndObject();
        }
        append("features", s.servedAtMicros, line, nowMillis);
      }
    } else if (item instanceof List<?> records) {
      for (Object o : records) {
        line.reset();
        long time;
        try (JsonGenerator g = json.getFactory().createGenerator(line)) {
          g.writeStartObject();
          if (o instanceof Prediction p) {
            time = p.timeMicros();
            g.writeStringField("kind", "prediction");
            g.writeStringField("model", p.model());
            g.writeStringField("request_id", p.requestId());
            g.writeNumberField("time", p.timeMicros());
            g.writeFieldName("entities");
            TypedValues.writeUntypedJson(g, p.entities());
            g.writeFieldName("prediction");
            TypedValues.writeUntypedJson(g, p.prediction());
            g.writeFieldName("label");
            TypedValues.writeUntypedJson(g, p.label());
          } else {
            Label l = (Label) o;
            time = l.timeMicros();
            g.writeStringField("kind", "label");
            g.writeStringField("model", l.model());
            g.writeStringField("request_id", l.requestId());
            g.writeNumberField("time", l.timeMicros());
            g.writeFieldName("label");
            TypedValues.writeUntypedJson(g, l.label());
          }
          g.writeEndObject();
        }
        append("predictions", time, line, nowMillis);
      }
    }
  }

  private void append(String kind, long timeMicros, ByteArrayOutputStream line, long nowMillis) throws IOException {
    String date = Instant.ofEpochSecond(Math.floorDiv(timeMicros, 1_000_000L)).atZone(ZoneOffset.UTC).toLocalDate().toString();
    String slot = kind + "/date=" + date;
    OpenFile f = open.get(slot);
    if (f == null) {
      Path folder = Files.createDirectories(dir.resolve(kind).resolve("date=" + date));
      String name = "part-" + instance + "-" + nowMillis + "-" + (fileSeq++) + ".jsonl";
      f = new OpenFile(folder.resolve(name + ".inprogress"), folder.resolve(name), nowMillis);
      open.put(slot, f);
    }
    line.write('\n');
    line.writeTo(f.out);
    f.bytes += line.size();
    written.incrementAndGet();
  }

  private void flushAndRoll(long nowMillis, boolean all) throws IOException {
    for (Iterator<OpenFile> it = open.values().iterator(); it.hasNext(); ) {
      OpenFile f = it.next();
      f.out.flush();
      if (all || f.bytes >= maxFileBytes || nowMillis - f.openedMillis >= rollMillis) {
        f.out.close();
        Files.move(f.inProgress, f.complete, StandardCopyOption.ATOMIC_MOVE);
        it.remove();
      }
    }
  }

  private record ServedFeatures(String service, String requestId, long servedAtMicros, List<Map<String, Object>> rows,
      OnlineFeatures result) {}

  private static final class OpenFile {
    final Path inProgress;
    final Path complete;
    final long openedMillis;
    final OutputStream out;
    long bytes;

    OpenFile(Path inProgress, Path complete, long openedMillis) throws IOException {
      this.inProgress = inProgress;
      this.complete = complete;
      this.openedMillis = openedMillis;
      this.out = new java.io.BufferedOutputStream(Files.newOutputStream(inProgress), 1 << 16);
    }
  }

  public static final class Builder {
    private final Path dir;
    private double sampleRate = 1.0;
    private Duration roll = Duration.ofMinutes(5);
    private long maxFileBytes = 128L << 20;
    private int queueCapacity = 10_000;
    private String instance = UUID.randomUUID().toString().substring(0, 8);

    private Builder(Path dir) {
      this.dir = Objects.requireNonNull(dir, "dir");
    }

    /** Share of requests whose feature vectors are logged, in [0, 1]; default 1. Predictions are never sampled. */
    public Builder sampleRate(double rate) {
      if (!(rate >= 0.0 && rate <= 1.0)) {
        throw new IllegalArgumentException("Cannot sample " + rate + " of requests: the rate must be between 0 and 1");
      }
      this.sampleRate = rate;
      return this;
    }

    /** How long a file stays open before it is completed (and visible to readers); default 5 minutes. */
    public Builder rollInterval(Duration roll) {
      if (roll.isNegative() || roll.isZero()) {
        throw new IllegalArgumentException("Cannot roll the serving log every " + roll + ": it must be positive");
      }
      this.roll = roll;
      return this;
    }

    public Builder maxFileBytes(long bytes) {
      this.maxFileBytes = bytes;
      return this;
    }

    /** Requests (and prediction calls) waiting to be written; beyond it vectors are dropped and predictions refused. */
    public Builder queueCapacity(int capacity) {
      this.queueCapacity = capacity;
      return this;
    }

    /** Names this process's files apart from other servers' writing to the same directory. */
    public Builder instance(String instance) {
      if (!instance.matches("[A-Za-z0-9_.-]+")) {
        throw new IllegalArgumentException("Cannot name serving log files after '" + instance
            + "': use letters, digits, '_', '.', '-'");
      }
      this.instance = instance;
      return this;
    }

    public JsonLinesServingLog build() {
      return new JsonLinesServingLog(this);
    }
  }
}
