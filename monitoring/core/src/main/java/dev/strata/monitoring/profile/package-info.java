/**
 * Column profiles over a slice: counts, moments, a KLL quantile sketch or frequent items.
 * Profiles merge (daily into weekly) and serialize compactly; drift can be computed from two
 * of them in sketch mode ({@link dev.strata.monitoring.drift.SketchDrift}).
 */
package dev.strata.monitoring.profile;
