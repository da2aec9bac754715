package dev.strata.stream;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What the keyed state of a source's tiling operator belongs to: the online groups (name →
 * version) and every allowed lateness its cleanup timers may have been set with. Kept in operator
 * state beside the tiles, so that a restore under another plan knows what it restores and can
 * say so ({@link #upgradeFrom}). Immutable.
 */
record StatePlan(Map<String, String> versions, Set<Long> latenessesMicros) {
  private static final String GROUP = "group ";
  private static final String LATENESS = "lateness ";

  StatePlan {
    versions = Collections.unmodifiableMap(new LinkedHashMap<>(versions));
    latenessesMicros = Collections.unmodifiableSet(new TreeSet<>(latenessesMicros));
  }

  /** The plan as operator state entries: {@code group <name> <version>}, {@code lateness <micros>} (names have no spaces). */
  List<String> entries() {
    List<String> out = new ArrayList<>();
    versions.forEach((name, version) -> out.add(GROUP + name + " " + version));
    latenessesMicros.forEach(l -> out.add(LATENESS + l));
    return out;
  }

  /**
   * The plan of restored entries (union state: every subtask's copy, duplicates are fine); null
   * when there are none: the state comes from a savepoint taken before the plan was recorded.
   */
  static StatePlan fromEntries(Iterable<String> entries) {
    Map<String, String> versions = new LinkedHashMap<>();
    Set<Long> latenesses = new TreeSet<>();
    for (String e : entries) {
      if (e.startsWith(GROUP)) {
        String[] parts = e.substring(GROUP.length()).split(" ");
        versions.put(parts[0], parts[1]);
      } else if (e.startsWith(LATENESS)) {
        latenesses.add(Long.parseLong(e.substring(LATENESS.length())));
      }
    }
    return versions.isEmpty() ? null : new StatePlan(versions, latenesses);
  }

  /** This plan with the latenesses of {@code previous} too: its restored timers keep their times. */
  StatePlan withTimersOf(StatePlan previous) {
    Set<Long> latenesses = new TreeSet<>(latenessesMicros);
    latenesses.addAll(previous.latenessesMicros);
    return new StatePlan(versions, latenesses);
  }

  /** What a restore does to one group's state: resume it, start clean (a new or changed group), or drop it. */
  enum Outcome { RESUMES, NEW, CHANGED, REMOVED }

  /** The outcome of a restore for one group, and the sentence that tells an operator about it. */
  record Change(String group, Outcome outcome, String message) {}

  /** What restoring the state of {@code previous} under this plan does to each group of either plan. */
  List<Change> upgradeFrom(StatePlan previous, String source) {
    String of = "Stream state of source '" + source + "': ";
    String partial = ": starts clean; until a backfill and materialize fill its history, its online values cover only "
        + "the events from this restore on";
    List<Change> out = new ArrayList<>();
    versions.forEach((name, version) -> {
      String before = previous.versions.get(name);
      if (version.equals(before)) {
        out.add(new Change(name, Outcome.RESUMES, of + "group '" + name + "' version " + version + " is unchanged: resumes its open tiles"));
      } else if (before == null) {
        out.add(new Change(name, Outcome.NEW, of + "group '" + name + "' version " + version + " is new" + partial));
      } else {
        out.add(new Change(name, Outcome.CHANGED, of + "group '" + name + "' changed from version " + before + " to " + version + partial
            + "; the open tiles of version " + before + " are dropped"));
      }
    });
    previous.versions.forEach((name, version) -> {
      if (!versions.containsKey(name)) {
        out.add(new Change(name, Outcome.REMOVED, of + "group '" + name + "' version " + version
            + " is no longer streamed: its open tiles are dropped"));
      }
    });
    return out;
  }
}
