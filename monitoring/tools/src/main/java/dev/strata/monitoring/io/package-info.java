/** Reading small tables (CSV, JSON lines) into memory for ad-hoc drift. */
package dev.strata.monitoring.io;
