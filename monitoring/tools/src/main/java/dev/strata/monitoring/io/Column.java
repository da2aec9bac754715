package dev.strata.monitoring.io;

import java.util.Arrays;

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
   * as text. Cells come as Strings or as ranges of a char buffer; a range makes no object unless
   * it is a text value not seen before (or a number with a fraction or exponent). Not thread-safe.
   */
  final class Builder {
    private boolean text;
    private boolean conflicted;
    private double[] numbers;
    private int[] codes;
    /** Open addressing over the dictionary: code + 1 per slot, 0 for an empty slot; String hashes. */
    private int[] slots;
    private String[] dictionary;
    private int distinct;
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

    /** Room for {@code rows} rows in all: an estimate from the file size saves copies while growing. */
    void ensureCapacity(int rows) {
      if (conflicted) {
        return;
      }
      if (!text && numbers.length < rows) {
        numbers = Arrays.copyOf(numbers, rows);
      } else if (text && codes.length < rows) {
        codes = Arrays.copyOf(codes, rows);
      }
    }

    void addNulls(int n) {
      for (int i = 0; i < n; i++) {
        addNull();
      }
    }

    /** The first {@code n} cells of a batch. */
    void addAll(String[] cells, int n) {
      for (int i = 0; i < n; i++) {
        add(cells[i]);
      }
    }

    void addNull() {
      if (conflicted) {
        size++;
      } else if (!text) {
        ensureRoom();
        numbers[size++] = Double.NaN;
      } else {
        ensureRoom();
        codes[size++] = -1;
      }
    }

    void add(String cell) {
      if (cell == null || conflicted) {
        addNull();
        return;
      }
      if ((!text && !addNumber(Cells.number(cell)))) {
        return;
      }
      int h = cell.hashCode();
      int slot = find(h, cell, null, 0, 0);
      addCode(slot, h, cell, null, 0, 0);
    }

    /** The non-null cell {@code b[from, to)}. */
    void add(char[] b, int from, int to) {
      if (conflicted) {
        size++;
        return;
      }
      if ((!text && !addNumber(Cells.number(b, from, to)))) {
        return;
      }
      int h = 0;
      for (int i = from; i < to; i++) {
        h = 31 * h + b[i];
      }
      int slot = find(h, null, b, from, to);
      addCode(slot, h, null, b, from, to);
    }

    /** Adds a number, or turns to text (false: the caller adds the cell as text) or to conflicted. */
    private boolean addNumber(double d) {
      if (!Double.isNaN(d)) {
        ensureRoom();
        numbers[size++] = d;
        nonNull++;
        return false;
      }
      if (nonNull > 0) {
        conflicted = true; // its numbers' text is gone: the reader reads it again as text
        numbers = null;
        size++;
        return false;
      }
      startText(numbers.length); // only nulls so far
      return true;
    }

    private void addCode(int slot, int h, String cell, char[] b, int from, int to) {
      int code = slots[slot] - 1;
      if (code < 0) {
        code = distinct++;
        if (code == dictionary.length) {
          dictionary = Arrays.copyOf(dictionary, code * 2);
        }
        dictionary[code] = cell != null ? cell : new String(b, from, to - from);
        slots[slot] = code + 1;
        if (distinct * 2 > slots.length) {
          rehash();
        }
      }
      ensureRoom();
      codes[size++] = code;
      nonNull++;
    }

    /** The slot holding the value, or the empty slot where it goes. */
    private int find(int h, String cell, char[] b, int from, int to) {
      int mask = slots.length - 1;
      for (int slot = mix(h) & mask; ; slot = (slot + 1) & mask) {
        int code = slots[slot] - 1;
        if (code < 0) {
          return slot;
        }
        String v = dictionary[code];
        if (cell != null ? v.equals(cell) : equals(v, b, from, to)) {
          return slot;
        }
      }
    }

    private static boolean equals(String v, char[] b, int from, int to) {
      if (v.length() != to - from) {
        return false;
      }
      for (int i = 0; i < v.length(); i++) {
        if (v.charAt(i) != b[from + i]) {
          return false;
        }
      }
      return true;
    }

    private static int mix(int h) {
      return h ^ (h >>> 16);
    }

    private void rehash() {
      int[] bigger = new int[slots.length * 2];
      int mask = bigger.length - 1;
      for (int code = 0; code < distinct; code++) {
        int slot = mix(dictionary[code].hashCode()) & mask;
        while (bigger[slot] != 0) {
          slot = (slot + 1) & mask;
        }
        bigger[slot] = code + 1;
      }
      slots = bigger;
    }

    private void ensureRoom() {
      if (!text && size == numbers.length) {
        numbers = Arrays.copyOf(numbers, grow(size));
      } else if (text && size == codes.length) {
        codes = Arrays.copyOf(codes, grow(size));
      }
    }

    private void startText(int capacity) {
      text = true;
      numbers = null;
      codes = new int[Math.max(capacity, 16)];
      Arrays.fill(codes, 0, size, -1);
      slots = new int[64];
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
        return new Numbers(size == numbers.length ? numbers : Arrays.copyOf(numbers, size), nonNull);
      }
      return new Texts(size == codes.length ? codes : Arrays.copyOf(codes, size), Arrays.copyOf(dictionary, distinct), nonNull);
    }
  }
}
