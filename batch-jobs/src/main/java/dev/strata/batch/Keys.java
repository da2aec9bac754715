package dev.strata.batch;

import java.util.List;

/**
 * An entity key as one string column, for partitioning and sorting on the Spark side only (the
 * typed key columns are kept beside it). Each part carries its Java type so that the bigint 1
 * and the string "1" stay distinct keys; parts are separated by a character no key holds.
 */
final class Keys {
  private Keys() {}

  /** The encoded key, or null when a part is NULL (such a key matches no event). */
  static String encode(List<Object> key) {
    if (key == null) {
      return null;
    }
    StringBuilder b = new StringBuilder();
    for (Object part : key) {
      if (part == null) {
        return null;
      }
      if (b.length() > 0) {
        b.append('\u0000');
      }
      b.append(part instanceof String ? 's' : part instanceof Long ? 'l' : part instanceof Double ? 'd' : 'o').append(part);
    }
    return b.toString();
  }
}
