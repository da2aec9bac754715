package dev.strata.batch;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerStageCompleted;
import org.apache.spark.scheduler.SparkListenerStageSubmitted;
import org.apache.spark.scheduler.SparkListenerTaskEnd;
import org.apache.spark.sql.SparkSession;

/**
 * Progress of a job: plain lines for its steps and, from a Spark listener, the tasks (partitions)
 * done of the running stage and its percent — redrawn in place on a terminal, a line every few
 * seconds otherwise.
 */
public final class Progress extends SparkListener {
  private final PrintStream out;
  private final boolean terminal;
  private final Map<Integer, int[]> stages = new ConcurrentHashMap<>();
  private final AtomicInteger lastPercent = new AtomicInteger(-1);
  private volatile long lastPrint;

  public Progress(PrintStream out, boolean terminal) {
    this.out = out;
    this.terminal = terminal;
  }

  /** Progress on stderr, redrawn when stderr is a terminal. */
  public static Progress console() {
    return new Progress(System.err, System.console() != null);
  }

  /** No output (tests). */
  public static Progress silent() {
    return new Progress(null, false);
  }

  public Progress attach(SparkSession spark) {
    if (out != null) {
      spark.sparkContext().addSparkListener(this);
    }
    return this;
  }

  public synchronized void say(String line) {
    if (out != null) {
      out.println((terminal ? "\r\033[K" : "") + line);
    }
  }

  @Override
  public void onStageSubmitted(SparkListenerStageSubmitted e) {
    stages.put(e.stageInfo().stageId(), new int[] {e.stageInfo().numTasks(), 0});
  }

  @Override
  public void onTaskEnd(SparkListenerTaskEnd e) {
    int[] s = stages.get(e.stageId());
    if (s == null || out == null) {
      return;
    }
    synchronized (this) {
      s[1]++;
      int percent = s[0] == 0 ? 100 : 100 * s[1] / s[0];
      long now = System.currentTimeMillis();
      if (terminal) {
        out.print(String.format(Locale.ROOT, "\r\033[Kstage %d: %d/%d partitions (%d%%)", e.stageId(), s[1], s[0], percent));
        out.flush();
      } else if (now - lastPrint > 5000 && lastPercent.getAndSet(percent) != percent) {
        lastPrint = now;
        out.println(String.format(Locale.ROOT, "stage %d: %d/%d partitions (%d%%)", e.stageId(), s[1], s[0], percent));
      }
    }
  }

  @Override
  public void onStageCompleted(SparkListenerStageCompleted e) {
    stages.remove(e.stageInfo().stageId());
  }
}
