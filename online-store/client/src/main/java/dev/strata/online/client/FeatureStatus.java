package dev.strata.online.client;

/** Why a served value is what it is (Feast's field statuses, minus the ones Strata never sends). */
public enum FeatureStatus {
  /** Computed from the key's stored tiles (the value itself may still be NULL: an empty window). */
  PRESENT,
  /** Nothing is stored for the key in the group: the value is NULL. */
  NOT_FOUND,
  /** The key's latest event is older than the group's TTL: the value is NULL (Feast's OUTSIDE_MAX_AGE on the wire). */
  OUTSIDE_TTL,
  /**
   * Computed from the key's stored tiles and served, but the group's online data (what materialize
   * or the stream last recorded in the job ledger) is older than the group's freshness: the
   * pipeline lags, so the value may miss recent events. Sent as Feast's OUTSIDE_MAX_AGE with a value.
   */
  OUTSIDE_MAX_AGE
}
