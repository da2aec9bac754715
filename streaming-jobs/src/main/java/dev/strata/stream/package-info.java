/** Flink jobs: sources, event-time tiling and the Redis sink (issue: streaming). */
package dev.strata.stream;
