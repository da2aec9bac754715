/** How well a model's predictions matched the labels that arrived, slice against slice. */
package dev.strata.monitoring.performance;
