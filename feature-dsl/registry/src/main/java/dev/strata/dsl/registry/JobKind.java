package dev.strata.dsl.registry;

import java.util.Locale;

/** The jobs whose runs the ledger records. */
public enum JobKind {
  /** Offline tiles and snapshots for a range of days; covers {@code [from, to)} of event time. */
  BACKFILL,
  /** Tiles pushed to the online store; covers event time up to the materialized-to instant. */
  MATERIALIZE,
  /** The streaming job's progress at a checkpoint: latest event time written, watermark. */
  STREAM,
  /** A monitor run over a range of days; its detail holds the drift status. */
  MONITOR,
  /** A training set built; its detail holds the lineage. */
  TRAINING_SET;

  /** The lower-case name stored in the database and shown to users. */
  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  static JobKind fromId(String id) {
    return valueOf(id.toUpperCase(Locale.ROOT));
  }
}
