package dev.strata.monitoring.drift;

/** The verdict for one feature, ordered by severity. */
public enum Status {
  OK,
  WARN,
  DRIFT;

  public String label() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  static Status worst(Status a, Status b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
