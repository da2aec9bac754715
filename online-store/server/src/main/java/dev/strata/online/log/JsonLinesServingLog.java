package dev.strata.online.log;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.io.TypedValues;
import dev.strata.online.client.Label;
import dev.strata.online.client.LogFullException;
import dev.strata.online.client.LogUnavailableException;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.client.Prediction;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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
 * complete (after the roll interval, at the size limit, when it is the least recently used of
 * more than {@code maxOpenFiles} open files, or on close), synced to disk first, so readers take
 * only {@code *.jsonl} and never see half a line. Serving threads only enqueue; one background
 * thread serializes and writes. Sampling is by a hash of the request id, so a request's rows are
 * logged together or not at all.
 *
 * <p>Durability: the future of {@link #predictions}/{@link #labels} completes only after the
 * records are written to the operating system (and fsynced with {@code syncOnAcknowledge}); a
 * failed write truncates the open files back to what was acknowledged and fails the futures; a
 * writer that dies makes every later call fail. Records are logged at least once: a record whose
 * future failed may still be in a file (a client retrying it logs it twice).
 *
 * <p>Crash recovery: each log holds an OS lock on {@code <dir>/_locks/<instance>.lock} while it
 * runs. At start it completes every {@code .inprogress} file whose instance's lock is free (its
 * writer is gone): the file is cut after its last full line and renamed to {@code .jsonl}.
 * Files of a live instance (another server on the same directory) are left alone.
 */
public final class JsonLinesServingLog implements ServingLog {
  private static final Logger LOG = LoggerFactory.getLogger(JsonLinesServingLog.class);
  private static final Object STOP = new Object();
  private static final Pattern IN_PROGRESS = Pattern.compile("part-(.+)-\\d+-\\d+\\.jsonl\\.inprogress");
  private static final int FLUSH_BYTES = 256 << 10;

  private final Path dir;
  private final double sampleRate;
  private final long rollMillis;
  private final long maxFileBytes;
  private final int maxOpenFiles;
  private final boolean syncOnAcknowledge;
  private final String instance;
  private final BlockingQueue<Object> queue;
  private final ObjectMapper json = new ObjectMapper();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong written = new AtomicLong();
  private final AtomicLong recovered = new AtomicLong();
  // Least recently used first: the eldest is completed when too many are open.
  private final LinkedHashMap<String, OpenFile> open = new LinkedHashMap<>(16, 0.75f, true);
  private final List<CompletableFuture<Void>> unacknowledged = new ArrayList<>();
  private final FileChannel lockChannel;
  private final FileLock lock;
  private final Thread writer;
  private volatile boolean closed;
  private volatile String failure;
  private long fileSeq;

  private JsonLinesServingLog(Builder b) {
    this.dir = b.dir;
    this.sampleRate = b.sampleRate;
    this.rollMillis = b.roll.toMillis();
    this.maxFileBytes = b.maxFileBytes;
    this.maxOpenFiles = b.maxOpenFiles;
    this.syncOnAcknowledge = b.syncOnAcknowledge;
    this.instance = b.instance;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    try {
      Files.createDirectories(dir.resolve("_locks"));
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot log served features to " + dir + ": " + e.getMessage(), e);
    }
    if (!Files.isWritable(dir)) {
      throw new IllegalArgumentException("Cannot log served features to " + dir + ": the directory is not writable");
    }
    try {
      this.lockChannel = FileChannel.open(lockFile(instance), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock held;
      try {
        held = lockChannel.tryLock();
      } catch (OverlappingFileLockException e) {
        held = null;
      }
      if (held == null) {
        lockChannel.close();
        throw new IllegalArgumentException("Cannot log served features to " + dir + ": another process logs there as instance '"
            + instance + "'");
      }
      this.lock = held;
      recover();
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot log served features to " + dir + ": " + e.getMessage(), e);
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

  /** Files left {@code .inprogress} by a stopped writer that this log completed when it started. */
  public long recoveredFiles() {
    return recovered.get();
  }

  /** Files open for writing now (at most {@code maxOpenFiles}); read by the writer thread only, so approximate. */
  public int openFiles() {
    return open.size();
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
    if (unavailableReason() != null) {
      dropped.addAndGet(entityRows.size());
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
  public CompletableFuture<Void> predictions(List<Prediction> predictions) {
    return enqueueAll(new ArrayList<>(predictions));
  }

  @Override
  public CompletableFuture<Void> labels(List<Label> labels) {
    return enqueueAll(new ArrayList<>(labels));
  }

  private CompletableFuture<Void> enqueueAll(List<?> records) {
    if (closed) {
      throw new LogUnavailableException("Cannot log: the serving log is closed");
    }
    String reason = unavailableReason();
    if (reason != null) {
      throw new LogUnavailableException("Cannot log: " + reason);
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    if (records.isEmpty()) {
      done.complete(null);
      return done;
    }
    // One queue entry for the whole call: it is taken entirely or refused entirely.
    if (!queue.offer(new Records(records, done))) {
      throw new LogFullException("Cannot log " + records.size() + " records now: the serving log's queue is full; retry later");
    }
    if (!writer.isAlive()) {
      failQueued(); // the writer died after the check above: nobody else will answer this entry
    }
    return done;
  }

  @Override
  public String unavailableReason() {
    String f = failure;
    if (f != null) {
      return f;
    }
    if (!writer.isAlive()) {
      return closed ? "the serving log is closed" : "the serving log's writer has stopped";
    }
    return null;
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
      while (writer.isAlive() && !queue.offer(STOP, 100, TimeUnit.MILLISECONDS)) {
        // the writer is draining a full queue
      }
      writer.join(TimeUnit.SECONDS.toMillis(30));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      failQueued();
      try {
        lock.release();
        lockChannel.close();
      } catch (IOException e) {
        LOG.warn("Cannot release the serving log's lock under {}: {}", dir, e.getMessage());
      }
    }
  }

  private void run() {
    ByteArrayOutputStream line = new ByteArrayOutputStream(4096);
    try {
      boolean stop = false;
      while (!stop) {
        Object item = queue.poll(200, TimeUnit.MILLISECONDS);
        long nowMillis = System.currentTimeMillis();
        if (item == STOP) {
          break;
        }
        try {
          if (item != null) {
            write(item, line, nowMillis);
            // drain what else is waiting before writing once
            for (Object next; (next = queue.poll()) != null; ) {
              if (next == STOP) {
                stop = true;
                break;
              }
              write(next, line, nowMillis);
            }
          }
          writeOut(syncOnAcknowledge && !unacknowledged.isEmpty());
          for (CompletableFuture<Void> ack : unacknowledged) {
            ack.complete(null);
          }
          unacknowledged.clear();
          roll(nowMillis, false);
        } catch (IOException | UncheckedIOException e) {
          LOG.error("Cannot write the serving log under {}: {}", dir, e.getMessage(), e);
          discardUnacknowledged();
          fail(unacknowledged, "writing under " + dir + " failed (" + e.getMessage() + ")");
          unacknowledged.clear();
        }
      }
      roll(System.currentTimeMillis(), true);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Throwable t) {
      // An error (out of memory, a full disk while rolling) stops the writer: from now on every call is refused.
      failure = "the serving log's writer has stopped (" + t + ")";
      LOG.error("The serving log's writer under {} has stopped; logging requests are refused from now on", dir, t);
      try {
        discardUnacknowledged();
        roll(System.currentTimeMillis(), true);
      } catch (Throwable again) {
        LOG.error("Cannot complete the serving log files under {}: {}", dir, again.toString());
      }
    } finally {
      if (failure == null) {
        failure = "the serving log's writer has stopped";
      }
      fail(unacknowledged, failure);
      unacknowledged.clear();
      failQueued();
    }
  }

  /** Fails every queued call: nobody will write it. */
  private void failQueued() {
    List<Object> left = new ArrayList<>();
    queue.drainTo(left);
    List<CompletableFuture<Void>> futures = new ArrayList<>();
    for (Object o : left) {
      if (o instanceof Records r) {
        futures.add(r.done);
      }
    }
    fail(futures, unavailableReason() == null ? "the serving log is closed" : unavailableReason());
  }

  private static void fail(List<CompletableFuture<Void>> futures, String reason) {
    for (CompletableFuture<Void> f : futures) {
      f.completeExceptionally(new LogUnavailableException("Cannot log: " + reason));
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
            g.writeStringField(r.featureNames().get(f), r.status(row, f) == dev.strata.online.client.FeatureStatus.OUTSIDE_TTL
                ? "OUTSIDE_MAX_AGE" : r.status(row, f).name());
          }
          g.writeEndObject();
          g.writeEndObject();
        }
        append("features", s.servedAtMicros, line, nowMillis);
      }
    } else if (item instanceof Records records) {
      unacknowledged.add(records.done);
      for (Object o : records.records) {
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
      if (open.size() >= maxOpenFiles) {
        Iterator<OpenFile> eldest = open.values().iterator();
        OpenFile e = eldest.next();
        eldest.remove();
        e.complete();
      }
      Path folder = Files.createDirectories(dir.resolve(kind).resolve("date=" + date));
      String name = "part-" + instance + "-" + nowMillis + "-" + (fileSeq++) + ".jsonl";
      f = new OpenFile(folder.resolve(name + ".inprogress"), folder.resolve(name), nowMillis);
      open.put(slot, f);
    }
    line.write('\n');
    line.writeTo(f.pending);
    written.incrementAndGet();
    if (f.pending.size() >= FLUSH_BYTES) {
      f.writeOut(); // bounded memory per file; acknowledged with the rest of the batch
    }
  }

  /** Hands every pending line to the OS (and to the disk when {@code sync}); then all of it is acknowledged. */
  private void writeOut(boolean sync) throws IOException {
    for (OpenFile f : open.values()) {
      f.writeOut();
      if (sync) {
        f.channel.force(false);
      }
    }
    for (OpenFile f : open.values()) {
      f.acknowledged = f.written;
    }
  }

  /** After a failed write: cuts each open file back to what was acknowledged, or sets it aside for recovery. */
  private void discardUnacknowledged() {
    for (Iterator<OpenFile> it = open.values().iterator(); it.hasNext(); ) {
      OpenFile f = it.next();
      f.pending.reset();
      try {
        f.channel.truncate(f.acknowledged);
        f.channel.position(f.acknowledged);
        f.written = f.acknowledged;
      } catch (IOException | RuntimeException e) {
        it.remove(); // left .inprogress: the next start cuts it after its last full line
        try {
          f.channel.close();
        } catch (IOException ignored) {
          // already failing
        }
      }
    }
  }

  private void roll(long nowMillis, boolean all) throws IOException {
    for (Iterator<OpenFile> it = open.values().iterator(); it.hasNext(); ) {
      OpenFile f = it.next();
      if (all || f.written >= maxFileBytes || nowMillis - f.openedMillis >= rollMillis) {
        it.remove();
        f.complete();
      }
    }
  }

  private Path lockFile(String name) {
    return dir.resolve("_locks").resolve(name + ".lock");
  }

  /** Completes the {@code .inprogress} files of instances that no longer run (their lock is free). */
  private void recover() throws IOException {
    List<Path> leftovers = new ArrayList<>();
    for (String kind : List.of("features", "predictions")) {
      Path root = dir.resolve(kind);
      if (Files.isDirectory(root)) {
        try (Stream<Path> files = Files.walk(root, 2)) {
          files.filter(p -> p.getFileName().toString().endsWith(".jsonl.inprogress")).forEach(leftovers::add);
        }
      }
    }
    Map<String, Boolean> free = new LinkedHashMap<>();
    for (Path p : leftovers) {
      Matcher m = IN_PROGRESS.matcher(p.getFileName().toString());
      String owner = m.matches() ? m.group(1) : null;
      if (owner != null && !owner.equals(instance) && !free.computeIfAbsent(owner, this::ownerGone)) {
        continue; // a live server writes it
      }
      recoverFile(p);
      recovered.incrementAndGet();
    }
    if (!leftovers.isEmpty()) {
      LOG.info("Recovered {} serving log file(s) left in progress under {}", recovered.get(), dir);
    }
  }

  /** Whether the instance's lock is free: it is taken and released at once. */
  private boolean ownerGone(String owner) {
    if (!owner.matches("[A-Za-z0-9_.-]+")) {
      return true;
    }
    try (FileChannel c = FileChannel.open(lockFile(owner), StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
      FileLock l = c.tryLock();
      if (l == null) {
        return false;
      }
      l.release();
      return true;
    } catch (OverlappingFileLockException e) {
      return false; // held by another log of this process
    } catch (IOException e) {
      LOG.warn("Cannot check whether serving log instance '{}' still runs: {}", owner, e.getMessage());
      return false;
    }
  }

  /** Cuts a file after its last full line (a crash may leave half a line), syncs it and makes it visible. */
  private static void recoverFile(Path inProgress) throws IOException {
    String name = inProgress.getFileName().toString();
    Path complete = inProgress.resolveSibling(name.substring(0, name.length() - ".inprogress".length()));
    long keep;
    try (FileChannel c = FileChannel.open(inProgress, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      keep = lastNewline(c) + 1;
      c.truncate(keep);
      c.force(true);
    }
    if (keep == 0) {
      Files.delete(inProgress);
    } else {
      Files.move(inProgress, complete, StandardCopyOption.ATOMIC_MOVE);
    }
  }

  private static long lastNewline(FileChannel c) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(1 << 16);
    long end = c.size();
    while (end > 0) {
      long start = Math.max(0, end - buf.capacity());
      buf.clear().limit((int) (end - start));
      int off = 0;
      while (buf.hasRemaining()) {
        int n = c.read(buf, start + off);
        if (n < 0) {
          break;
        }
        off += n;
      }
      for (int i = off - 1; i >= 0; i--) {
        if (buf.get(i) == '\n') {
          return start + i;
        }
      }
      end = start;
    }
    return -1;
  }

  private record ServedFeatures(String service, String requestId, long servedAtMicros, List<Map<String, Object>> rows,
      OnlineFeatures result) {}

  private record Records(List<?> records, CompletableFuture<Void> done) {}

  private static final class OpenFile {
    final Path inProgress;
    final Path complete;
    final long openedMillis;
    final FileChannel channel;
    final ByteArrayOutputStream pending = new ByteArrayOutputStream(1 << 12);
    long written;
    long acknowledged;

    OpenFile(Path inProgress, Path complete, long openedMillis) throws IOException {
      this.inProgress = inProgress;
      this.complete = complete;
      this.openedMillis = openedMillis;
      this.channel = FileChannel.open(inProgress, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    }

    void writeOut() throws IOException {
      if (pending.size() == 0) {
        return;
      }
      ByteBuffer b = ByteBuffer.wrap(pending.toByteArray());
      while (b.hasRemaining()) {
        written += channel.write(b);
      }
      pending.reset();
    }

    /** Writes, syncs, closes and renames: the file becomes visible to readers, complete. */
    void complete() throws IOException {
      try {
        writeOut();
        channel.force(true);
      } finally {
        channel.close();
      }
      Files.move(inProgress, complete, StandardCopyOption.ATOMIC_MOVE);
      acknowledged = written;
    }
  }

  public static final class Builder {
    private final Path dir;
    private double sampleRate = 1.0;
    private Duration roll = Duration.ofMinutes(5);
    private long maxFileBytes = 128L << 20;
    private int queueCapacity = 10_000;
    private int maxOpenFiles = 32;
    private boolean syncOnAcknowledge;
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
      if (capacity <= 0) {
        throw new IllegalArgumentException("Cannot queue " + capacity + " serving log entries: it must be positive");
      }
      this.queueCapacity = capacity;
      return this;
    }

    /** Partition files open at once (default 32); the least recently written is completed to open another. */
    public Builder maxOpenFiles(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("Cannot keep " + max + " serving log files open: it must be positive");
      }
      this.maxOpenFiles = max;
      return this;
    }

    /** Syncs the files to disk before acknowledging predictions and labels (default off: written to the OS). */
    public Builder syncOnAcknowledge(boolean sync) {
      this.syncOnAcknowledge = sync;
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
