package dev.strata.monitoring.drift;

/** How a drift result was computed. */
public enum Mode {
  /** From all non-null values in memory: matches numpy/scipy to rounding. */
  EXACT,
  /** From KLL / frequent-items sketches: within the error bound stated in the result. */
  SKETCH;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
