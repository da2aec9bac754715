/**
 * The aggregation library: every aggregation of the language as a mergeable intermediate
 * representation (IR) with Chronon's update / merge / finish lifecycle and a compact, versioned,
 * canonical binary encoding. Tiles (one key's events in one hop) are IRs; Spark, Flink and the
 * online reader build and merge them with these classes, so they agree by construction.
 *
 * <p>Entry points: {@link dev.strata.dsl.agg.Aggregations#resolve} checks a function, its args
 * and input type; {@link dev.strata.dsl.agg.Aggregations#create} makes an {@link
 * dev.strata.dsl.agg.Aggregator}; {@link dev.strata.dsl.agg.RowAggregator} handles all
 * aggregations of one feature group at once.
 *
 * <p>Guarantees: exact aggregations (everything but the approx_ ones) give bit-identical results
 * and bytes for any split and merge order, double sums and variances included (exact
 * accumulation, one rounding at finish). approx_count_distinct is byte-deterministic too;
 * approx_percentile and approx_top_k are while small (exact modes) and agree within their
 * documented error beyond — see each implementation's javadoc for its encoding.
 */
package dev.strata.dsl.agg;
