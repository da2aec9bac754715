/** Drift results as JSON and as a self-contained HTML report (inline SVG, CSS and script). */
package dev.strata.monitoring.report;
