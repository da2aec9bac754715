package dev.strata.online;

import dev.strata.dsl.tile.EncodedTiles;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The values, statuses and times of a request's rows, each row assembled once the store has
 * answered every group of it (replies may come in any order).
 */
final class ReadAssembly {
  private final ServiceReader sr;
  private final ReadPlan plan;
  private final long nowMicros;
  private final int rowOffset; // of these rows in the request, for messages
  private final List<List<EncodedTiles>> scratch;
  private final Object[][] values;
  private final FeatureStatus[][] statuses;
  private final long[][] times;
  private final List<byte[]>[][] got;
  private final int[] waiting;
  private final Set<String> staleGroups;
  private final Object[][] request; // per row, the service's request inputs; null when it has none

  @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
  ReadAssembly(ServiceReader sr, ReadPlan plan, int rows, long nowMicros, int rowOffset, Set<String> staleGroups,
      Object[][] request) {
    this.sr = sr;
    this.request = request;
    this.staleGroups = staleGroups;
    this.rowOffset = rowOffset;
    this.plan = plan;
    this.nowMicros = nowMicros;
    int m = sr.groups.size();
    this.scratch = new ArrayList<>(m);
    for (int g = 0; g < m; g++) {
      scratch.add(sr.groups.get(g).scratch(plan.blocks.get(g).size()));
    }
    int width = sr.names.size();
    // With request inputs a row is evaluated wider (inputs after the output) and cut to the output after.
    this.values = new Object[rows][request == null ? width : sr.evaluationWidth];
    this.statuses = new FeatureStatus[rows][width];
    this.times = new long[rows][width];
    this.got = new List[rows][];
    this.waiting = new int[rows];
    java.util.Arrays.fill(waiting, m);
  }

  /** The store's reply for group {@code g} of row {@code r} ({@code @t} first, then the plan's blocks). */
  void reply(int r, int g, List<byte[]> values) {
    if (got[r] == null) {
      @SuppressWarnings({"unchecked", "rawtypes"}) // generic array creation
      List<byte[]>[] row = new List[sr.groups.size()];
      got[r] = row;
    }
    got[r][g] = values;
    if (--waiting[r] == 0) {
      row(r, got[r]);
      got[r] = null;
    }
  }

  /** Row r from the replies of its groups (@t first, then the plan's blocks). */
  private void row(int r, List<byte[]>[] got) {
    Object[] row = values[r];
    long freshest = OnlineFeatures.NO_TIME;
    boolean anyFound = false;
    boolean anyStale = false;
    for (int g = 0; g < got.length; g++) {
      GroupReader gr = sr.groups.get(g);
      List<byte[]> fields = got[g];
      FeatureStatus status;
      Object[] groupValues = null;
      long latest = OnlineFeatures.NO_TIME;
      if (fields.get(0) == null) {
        status = FeatureStatus.NOT_FOUND;
      } else {
        latest = RedisLayout.parseLatest(fields.get(0));
        if (plan.exact && latest >= nowMicros) {
          throw new OnlineReader.InstantNotAnswerableException(gr.group.name(), rowOffset + r, latest, nowMicros);
        }
        Long ttl = gr.group.ttlMicros();
        if (ttl != null && nowMicros - latest >= ttl) {
          status = FeatureStatus.OUTSIDE_TTL;
        } else {
          // Served either way; a group whose pipeline lags its freshness says so (Feast's OUTSIDE_MAX_AGE).
          status = staleGroups.contains(gr.group.name()) ? FeatureStatus.OUTSIDE_MAX_AGE : FeatureStatus.PRESENT;
          anyFound = true;
          anyStale |= status == FeatureStatus.OUTSIDE_MAX_AGE;
          try {
            groupValues = gr.assemble(nowMicros, plan.blocks.get(g), fields, scratch.get(g));
          } catch (IllegalArgumentException e) {
            // The store's bytes, not the request, are wrong: a store failure (the server's 503), not a 400.
            throw new OnlineStoreException("Cannot read online features: the stored blocks of group '" + gr.group.name()
                + "' for entity row " + (rowOffset + r) + " are not valid (" + e.getMessage() + ")", e);
          }
        }
        freshest = Math.max(freshest, latest);
      }
      int[] out = sr.columns.get(g);
      int[] from = sr.featureIndexes.get(g);
      for (int i = 0; i < out.length; i++) {
        row[out[i]] = groupValues == null ? null : groupValues[from[i]];
        statuses[r][out[i]] = status;
        times[r][out[i]] = latest;
      }
    }
    if (request != null) {
      System.arraycopy(request[r], 0, row, sr.names.size(), request[r].length);
    }
    for (int d = 0; d < sr.derived.size(); d++) {
      int col = sr.features + d;
      row[col] = sr.derived.get(d).eval(row);
      statuses[r][col] = !anyFound ? FeatureStatus.NOT_FOUND : anyStale ? FeatureStatus.OUTSIDE_MAX_AGE : FeatureStatus.PRESENT;
      times[r][col] = freshest;
    }
    if (request != null) {
      values[r] = java.util.Arrays.copyOf(row, sr.names.size());
    }
  }

  OnlineFeatures result() {
    return OnlineFeatures.wrap(sr.names, sr.types, values, statuses, times, nowMicros);
  }
}
