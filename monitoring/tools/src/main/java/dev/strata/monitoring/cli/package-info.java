/** Ad-hoc drift between two files: the engine of {@code strata drift}. */
package dev.strata.monitoring.cli;
