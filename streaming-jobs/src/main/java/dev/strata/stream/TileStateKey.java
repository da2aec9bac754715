package dev.strata.stream;

/**
 * The Flink key under which the open tiles of one entity of one group version live: the group's
 * name, its version and the entity key's values, each length-prefixed so no value can be taken
 * for a separator. Identity, never position: a key restored from a savepoint taken under another
 * plan names the same group version or none of the current plan's, whatever the order of groups.
 *
 * <p>Keys are persisted in savepoints: changing this format makes every group start clean.
 */
final class TileStateKey {
  private TileStateKey() {}

  /** The leading part of every key of one group version: {@link #groupOf} of each of its keys. */
  static String group(String name, String version) {
    return field(new StringBuilder(), name).append(field(new StringBuilder(), version)).toString();
  }

  /** The key of an entity in a group version; {@code group} is {@link #group(String, String)}. */
  static String of(String group, Object[] entityKey) {
    return group + encodeEntity(entityKey);
  }

  /** An entity key as one string, unambiguous for any values of the key's types. */
  static String encodeEntity(Object[] entityKey) {
    StringBuilder b = new StringBuilder();
    for (Object v : entityKey) {
      field(b, String.valueOf(v));
    }
    return b.toString();
  }

  /**
   * The group part of a key, or null when the key has none (a key of a savepoint taken before
   * state was keyed by group version).
   */
  static String groupOf(String key) {
    int end = skipField(key, skipField(key, 0));
    return end < 0 ? null : key.substring(0, end);
  }

  private static StringBuilder field(StringBuilder b, String s) {
    return b.append(s.length()).append(':').append(s);
  }

  /** The index after the field starting at {@code from}, or -1 when there is no such field. */
  private static int skipField(String key, int from) {
    if (from < 0) {
      return -1;
    }
    int colon = from;
    while (colon < key.length() && Character.isDigit(key.charAt(colon))) {
      colon++;
    }
    if (colon == from || colon == key.length() || key.charAt(colon) != ':' || colon - from > 9) {
      return -1;
    }
    long end = (long) colon + 1 + Integer.parseInt(key, from, colon, 10);
    return end > key.length() ? -1 : (int) end;
  }
}
