package dev.strata.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.Schema;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;

/** Test inputs made from rows: JSON records, shuffles within a lateness bound, garbage. */
final class Events {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Events() {}

  static String json(Schema schema, String timeColumn, Object[] row) {
    ObjectNode n = JSON.createObjectNode();
    for (int i = 0; i < row.length; i++) {
      String name = schema.field(i).name();
      Object v = row[i];
      if (v == null) {
        n.putNull(name);
      } else if (name.equals(timeColumn)) {
        n.put(name, Durations.formatInstant((Long) v)); // ISO text, as producers usually send
      } else if (v instanceof Long l) {
        n.put(name, l);
      } else if (v instanceof Double d) {
        n.put(name, d);
      } else if (v instanceof Boolean b) {
        n.put(name, b);
      } else {
        n.put(name, v.toString());
      }
    }
    return n.toString();
  }

  /**
   * The events in event-time order, then each moved later by a random delay below {@code
   * maxDelayMicros}: no event arrives more than that behind the latest one seen.
   */
  static List<Object[]> shuffledWithin(List<Object[]> events, int timeIndex, long maxDelayMicros, long seed) {
    Random random = new Random(seed);
    record Delayed(long arrival, Object[] row) {}
    List<Delayed> d = new ArrayList<>();
    for (Object[] row : events) {
      d.add(new Delayed((Long) row[timeIndex] + (long) (random.nextDouble() * maxDelayMicros), row));
    }
    d.sort(Comparator.comparingLong(Delayed::arrival));
    return d.stream().map(Delayed::row).toList();
  }

  /** Garbage of the kinds producers send: not JSON, wrong types, no event time, bad time. */
  static String garbage(Random random) {
    return switch (random.nextInt(5)) {
      case 0 -> "not json at all " + random.nextInt();
      case 1 -> "{\"date\": \"2001-01-03T10:00:00Z\", \"delay\": \"soon\", \"origin\": \"ORD\", \"destination\": \"JFK\"}";
      case 2 -> "{\"delay\": 5, \"distance\": 300, \"origin\": \"ORD\", \"destination\": \"JFK\"}";
      case 3 -> "{\"date\": \"yesterday\", \"delay\": 5, \"origin\": \"ORD\"}";
      default -> "[1, 2, 3]";
    };
  }
}
