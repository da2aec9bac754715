package dev.strata.monitoring.io;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One column of a {@link Table}, held in primitive arrays: no object per row. Either numbers
 * (NaN for null) or text as codes into a dictionary of the distinct values (−1 for null), where
 * every dictionary entry occurs in the column at least once.
 */
sealed interface Column {
  /** Rows. */
  int size();

  /** Rows that are not null. */
  int nonNull();

  /** The rows whose index {@code keep} lists, in that order. */
  Column select(int[] keep, int n);

  /** Every non-null value parsed as a finite number. */
  record Numbers(double[] values, int nonNull) implements Column {
    @Override
    public int size() {
      return values.length;
    }

    @Override
    public Column select(int[] keep, int n) {
      double[] out = new double[n];
      int nonNulls = 0;
      for (int i = 0; i < n; i++) {
        out[i] = values[keep[i]];
        nonNulls += Double.isNaN(out[i]) ? 0 : 1;
      }
      return new Numbers(out, nonNulls);
    }
  }

  /** Text, dictionary-encoded: {@code dictionary[codes[i]]}, or null where the code is −1. */
  record Texts(int[] codes, String[] dictionary, int nonNull) implements Column {
    @Override
    public int size() {
      return codes.length;
    }

    /** Occurrences of each dictionary entry. */
    long[] counts() {
      long[] counts = new long[dictionary.length];
      for (int c : codes) {
        if (c >= 0) {
          counts[c]++;
        }
      }
      return counts;
    }

    /** The code of {@code value}, or −1 when the column does not hold it. */
    int codeOf(String value) {
      for (int i = 0; i < dictionary.length; i++) {
        if (dictionary[i].equals(value)) {
          return i;
        }
      }
      return -1;
    }

    @Override
    public Column select(int[] keep, int n) {
      // a fresh dictionary of the values kept, so every entry still occurs
      int[] remap = new int[dictionary.length];
      Arrays.fill(remap, -1);
      String[] dict = new String[Math.min(dictionary.length, n)];
      int size = 0;
      int[] out = new int[n];
      int nonNulls = 0;
      for (int i = 0; i < n; i++) {
        int c = codes[keep[i]];
        if (c < 0) {
          out[i] = -1;
          continue;
        }
        if (remap[c] < 0) {
          remap[c] = size;
          dict[size++] = dictionary[c];
        }
        out[i] = remap[c];
        nonNulls++;
      }
      return new Texts(out, Arrays.copyOf(dict, size), nonNulls);
    }
  }

  /**
   * Builds a column from text cells: numbers while every non-null cell is one, text from the
   * first cell that is not (the nulls before it carry over). A column that meets text after
   * numbers is {@link #conflicted()}: its earlier cells are gone, and the reader reads it again
   * as text. Not thread-safe.
   */
  final class Builder {
    private boolean text;
    private boolean conflicted;
    private double[] numbers;
    private int[] codes;
    private Map<String, Integer> index;
    private String[] dictionary;
    private int size;
    private int nonNull;

    /** A builder that keeps every cell as text ({@code asText}) or starts with numbers. */
    Builder(boolean asText) {
      if (asText) {
        startText(16);
      } else {
        numbers = new double[16];
      }
    }

    boolean conflicted() {
      return conflicted;
    }

    int size() {
      return size;
    }

    void addNulls(int n) {
      for (int i = 0; i < n; i++) {
        add(null);
      }
    }

    /** The first {@code n} cells of a batch. */
    void addAll(String[] cells, int n) {
      for (int i = 0; i < n; i++) {
        add(cells[i]);
      }
    }

    void add(String cell) {
      if (conflicted) {
        size++;
        return;
      }
      if (!text) {
        double d = cell == null ? Double.NaN : Cells.number(cell);
        if (cell == null || !Double.isNaN(d)) {
          if (size == numbers.length) {
            numbers = Arrays.copyOf(numbers, grow(size));
          }
          numbers[size++] = d;
          nonNull += cell == null ? 0 : 1;
          return;
        }
        if (nonNull > 0) {
          conflicted = true; // its numbers' text is gone: the reader reads it again as text
          numbers = null;
          size++;
          return;
        }
        startText(numbers.length); // only nulls so far
      }
      if (size == codes.length) {
        codes = Arrays.copyOf(codes, grow(size));
      }
      if (cell == null) {
        codes[size++] = -1;
        return;
      }
      Integer code = index.get(cell);
      if (code == null) {
        code = index.size();
        if (code == dictionary.length) {
          dictionary = Arrays.copyOf(dictionary, code * 2);
        }
        dictionary[code] = cell;
        index.put(cell, code);
      }
      codes[size++] = code;
      nonNull++;
    }

    private void startText(int capacity) {
      text = true;
      numbers = null;
      codes = new int[capacity];
      Arrays.fill(codes, 0, size, -1);
      index = new HashMap<>();
      dictionary = new String[16];
    }

    private static int grow(int size) {
      return size + Math.max(16, size >> 1); // 1.5×: less slack than doubling at millions of rows
    }

    /** The column; null when {@link #conflicted()}. */
    Column build() {
      if (conflicted) {
        return null;
      }
      if (!text) {
        return new Numbers(Arrays.copyOf(numbers, size), nonNull);
      }
      return new Texts(Arrays.copyOf(codes, size), Arrays.copyOf(dictionary, index.size()), nonNull);
    }
  }
}
