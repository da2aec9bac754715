/** Spark jobs over Iceberg: backfill, point-in-time training sets, materialize (issue: batch). */
package dev.strata.batch;
