package dev.strata.dsl.plan;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * What applying a plan would change against the plan recorded last: definitions added, changed
 * and removed, and which groups need a backfill (a new or changed fingerprint means new values,
 * so a new group version whose tables must be computed).
 */
public record PlanDiff(List<Change> changes) {
  public PlanDiff {
    changes = List.copyOf(changes);
  }

  public enum Action {
    ADDED("+"),
    CHANGED("~"),
    REMOVED("-");

    private final String symbol;

    Action(String symbol) {
      this.symbol = symbol;
    }

    public String symbol() {
      return symbol;
    }
  }

  /**
   * One change. {@code kind} is entity, source, feature_group, feature, feature_service,
   * training_set or monitor; {@code detail} says what changed in words.
   */
  public record Change(String kind, String name, Action action, boolean needsBackfill, String detail) {}

  public boolean isEmpty() {
    return changes.isEmpty();
  }

  public List<String> groupsNeedingBackfill() {
    return changes.stream().filter(c -> c.kind().equals("feature_group") && c.needsBackfill()).map(Change::name).toList();
  }

  /** Compares two plans in their JSON form; {@code before} may be null (nothing applied yet). */
  public static PlanDiff between(JsonNode before, JsonNode after) {
    List<Change> changes = new ArrayList<>();
    section(changes, "entity", before, after, "entities");
    section(changes, "source", before, after, "sources");
    groups(changes, before, after);
    section(changes, "feature_service", before, after, "feature_services");
    section(changes, "training_set", before, after, "training_sets");
    section(changes, "monitor", before, after, "monitors");
    return new PlanDiff(changes);
  }

  private static Map<String, JsonNode> byName(JsonNode plan, String section) {
    Map<String, JsonNode> out = new LinkedHashMap<>();
    if (plan != null) {
      for (JsonNode n : plan.path(section)) {
        out.put(n.path("name").asText(), n);
      }
    }
    return out;
  }

  private static void section(List<Change> changes, String kind, JsonNode before, JsonNode after, String section) {
    Map<String, JsonNode> old = byName(before, section);
    Map<String, JsonNode> now = byName(after, section);
    for (Map.Entry<String, JsonNode> e : now.entrySet()) {
      JsonNode prev = old.get(e.getKey());
      if (prev == null) {
        changes.add(new Change(kind, e.getKey(), Action.ADDED, false, "new"));
      } else if (!same(prev, e.getValue())) {
        changes.add(new Change(kind, e.getKey(), Action.CHANGED, false, "changed " + changedKeys(prev, e.getValue())));
      }
    }
    for (String name : old.keySet()) {
      if (!now.containsKey(name)) {
        changes.add(new Change(kind, name, Action.REMOVED, false, "removed"));
      }
    }
  }

  /**
   * Equality of JSON values as text: a plan read back from the registry has int nodes where a
   * fresh one has long nodes, and both mean the same number.
   */
  private static boolean same(JsonNode a, JsonNode b) {
    return a.toString().equals(b.toString());
  }

  private static String changedKeys(JsonNode a, JsonNode b) {
    List<String> keys = new ArrayList<>();
    b.fieldNames().forEachRemaining(k -> {
      if (!same(a.path(k), b.path(k))) {
        keys.add(k);
      }
    });
    a.fieldNames().forEachRemaining(k -> {
      if (!b.has(k)) {
        keys.add(k);
      }
    });
    return String.join(", ", keys);
  }

  private static void groups(List<Change> changes, JsonNode before, JsonNode after) {
    Map<String, JsonNode> old = byName(before, "feature_groups");
    Map<String, JsonNode> now = byName(after, "feature_groups");
    for (Map.Entry<String, JsonNode> e : now.entrySet()) {
      JsonNode g = e.getValue();
      JsonNode prev = old.get(e.getKey());
      boolean offline = g.path("offline").asBoolean(true);
      boolean online = g.path("online").asBoolean(false);
      boolean computed = offline || online;
      if (prev == null) {
        changes.add(new Change("feature_group", e.getKey(), Action.ADDED, computed, "new, version " + g.path("version").asText()));
        features(changes, e.getKey(), null, g);
      } else if (!same(prev.path("fingerprint"), g.path("fingerprint"))) {
        changes.add(new Change("feature_group", e.getKey(), Action.CHANGED, computed,
            "version " + prev.path("version").asText() + " -> " + g.path("version").asText()));
        features(changes, e.getKey(), prev, g);
      } else if (!same(prev, g)) {
        ObjectNode a = prev.deepCopy();
        ObjectNode b = g.deepCopy();
        changes.add(new Change("feature_group", e.getKey(), Action.CHANGED, false,
            "changed " + changedKeys(a, b) + " (values unchanged, no backfill)"));
      }
    }
    for (String name : old.keySet()) {
      if (!now.containsKey(name)) {
        changes.add(new Change("feature_group", name, Action.REMOVED, false, "removed (tables are kept)"));
      }
    }
  }

  private static void features(List<Change> changes, String group, JsonNode before, JsonNode after) {
    Map<String, JsonNode> old = new LinkedHashMap<>();
    if (before != null) {
      for (JsonNode f : (ArrayNode) before.path("features")) {
        old.put(f.path("name").asText(), f);
      }
    }
    Map<String, JsonNode> now = new LinkedHashMap<>();
    for (JsonNode f : after.path("features")) {
      now.put(f.path("name").asText(), f);
    }
    for (Map.Entry<String, JsonNode> e : now.entrySet()) {
      JsonNode prev = old.get(e.getKey());
      String q = group + "." + e.getKey();
      if (prev == null) {
        changes.add(new Change("feature", q, Action.ADDED, true, "new"));
      } else if (!same(prev.path("fingerprint"), e.getValue().path("fingerprint"))) {
        changes.add(new Change("feature", q, Action.CHANGED, true, "definition changed"));
      }
    }
    for (String name : old.keySet()) {
      if (!now.containsKey(name)) {
        changes.add(new Change("feature", group + "." + name, Action.REMOVED, false, "removed"));
      }
    }
  }

  /** The change list as {@code strata plan} prints it. */
  public String toText() {
    return toText(group -> Optional.empty());
  }

  /**
   * The change list, where {@code backfilled} says, for a group whose new version needs a
   * backfill, which days of that version are already done (from the job ledger), if any: such a
   * group is shown with those days instead of "needs backfill".
   */
  public String toText(Function<String, Optional<String>> backfilled) {
    if (changes.isEmpty()) {
      return "No changes: the registry already has this plan.\n";
    }
    StringBuilder sb = new StringBuilder();
    List<String> backfill = new ArrayList<>();
    for (Change c : changes) {
      String indent = c.kind().equals("feature") ? "    " : "  ";
      sb.append(indent).append(c.action().symbol()).append(' ').append(c.kind().replace('_', ' ')).append(' ')
          .append(c.name()).append(": ").append(c.detail());
      if (c.needsBackfill() && c.kind().equals("feature_group")) {
        Optional<String> done = backfilled.apply(c.name());
        if (done.isPresent()) {
          sb.append("  [backfilled: ").append(done.get()).append(']');
        } else {
          sb.append("  [needs backfill]");
          backfill.add(c.name());
        }
      }
      sb.append('\n');
    }
    sb.append(changes.size()).append(" change(s); ")
        .append(backfill.isEmpty() ? "no backfill needed" : "backfill needed for: " + String.join(", ", backfill))
        .append('\n');
    return sb.toString();
  }

  public ObjectNode toJson() {
    ObjectNode root = PlanJson.MAPPER.createObjectNode();
    ArrayNode a = root.putArray("changes");
    for (Change c : changes) {
      a.addObject().put("kind", c.kind()).put("name", c.name()).put("action", c.action().name().toLowerCase(java.util.Locale.ROOT))
          .put("needs_backfill", c.needsBackfill()).put("detail", c.detail());
    }
    ArrayNode b = root.putArray("needs_backfill");
    groupsNeedingBackfill().forEach(b::add);
    return root;
  }
}
