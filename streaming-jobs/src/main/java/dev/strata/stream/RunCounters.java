package dev.strata.stream;

import java.util.Locale;
import org.apache.flink.api.common.JobExecutionResult;

/**
 * The names of a source's run counters (Flink accumulators) and the summary line a bounded run
 * (a replayed file, a bounded Kafka read) prints from them: events read, tile updates handed to
 * the writer, dead letters and where they went.
 */
final class RunCounters {
  private RunCounters() {}

  static String events(String source) {
    return "strata.events." + source;
  }

  static String tiles(String source) {
    return "strata.tiles." + source;
  }

  static String deadLetters(String source) {
    return "strata.dead-letters." + source;
  }

  /** "strata stream: flights: 1,203 events read, 3,410 tile updates written, 3 dead letters (to DIR)". */
  static String summary(JobExecutionResult result, String source, String deadLetterTarget) {
    long events = count(result, events(source));
    long tiles = count(result, tiles(source));
    long dead = count(result, deadLetters(source));
    return String.format(Locale.ROOT, "strata stream: %s: %,d events read, %,d tile updates written, %,d dead letters%s",
        source, events, tiles, dead, dead == 0 ? "" : " (to " + deadLetterTarget + ")");
  }

  private static long count(JobExecutionResult result, String name) {
    Object value = result.getAccumulatorResult(name);
    return value instanceof Number n ? n.longValue() : 0L;
  }
}
