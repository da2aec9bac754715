package dev.strata.stream;

/** The string form of an entity key used to partition the stream: unambiguous for any values. */
final class Keys {
  private Keys() {}

  static String encode(Object[] key) {
    StringBuilder b = new StringBuilder();
    for (Object v : key) {
      String s = String.valueOf(v);
      // Length-prefixed, so no value can contain a separator.
      b.append(s.length()).append(':').append(s);
    }
    return b.toString();
  }

  static String partition(int group, Object[] key) {
    return group + "|" + encode(key);
  }

  static int groupOf(String partition) {
    return Integer.parseInt(partition.substring(0, partition.indexOf('|')));
  }
}
