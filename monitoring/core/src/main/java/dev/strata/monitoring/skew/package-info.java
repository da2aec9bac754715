/**
 * Online/offline skew: the feature values a service served (logged) against the offline values
 * for the same keys and instants, feature by feature.
 */
package dev.strata.monitoring.skew;
