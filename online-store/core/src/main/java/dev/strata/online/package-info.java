/** Redis layout, tile writer and reader, feature server and Java client (issue: online store). */
package dev.strata.online;
