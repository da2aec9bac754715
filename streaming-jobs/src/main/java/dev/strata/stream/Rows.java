package dev.strata.stream;

import java.util.Arrays;

/** Text of a row for dead letters. */
final class Rows {
  private Rows() {}

  static String describe(Object[] row) {
    return Arrays.toString(row);
  }
}
