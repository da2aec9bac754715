/** Profiles, drift statistics, reports and alerts (issue: monitoring). */
package dev.strata.monitoring;
