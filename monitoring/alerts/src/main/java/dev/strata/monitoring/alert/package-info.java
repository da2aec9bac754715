/** Where drift results go besides the table and the report: Prometheus gauges and a webhook. */
package dev.strata.monitoring.alert;
