/**
 * Drift statistics between a reference and a current sample, by docs/design.md, "Monitoring"
 * definitions (which match numpy/scipy): reference-quantile bins, PSI, Jensen–Shannon
 * distance, KS, Wasserstein-1, chi-square, null-rate change and share out of range.
 */
package dev.strata.monitoring.drift;
