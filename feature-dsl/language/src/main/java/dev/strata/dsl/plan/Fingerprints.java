package dev.strata.dsl.plan;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.plan.CompiledPlan.CompiledAggregation;
import dev.strata.dsl.plan.CompiledPlan.CompiledFeature;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.KeyColumn;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Fingerprints of what determines computed values, and nothing else. A feature's fingerprint
 * covers its source and time column, the group's keys and filter, its function, arguments,
 * typed input, window and hop. A group's covers the same plus its tile layout. Descriptions,
 * owners, tags, online/offline, TTL, freshness and the order of aggregations in the YAML are left
 * out: changing them changes no value, so needs no backfill. (Freshness is an expectation about
 * when data arrives, not about what it is: tightening it from 1d to 2h makes `strata status`
 * stricter, and recomputing identical tiles under a new version would only lose the ledger's
 * coverage.)
 */
public final class Fingerprints {
  /** Bump to force new versions of every group when the meaning of the IR bytes changes. */
  static final int SEMANTICS_VERSION = 1;

  private Fingerprints() {}

  static CompiledGroup finish(CompiledGroup g, String timestampColumn) {
    ObjectNode common = PlanJson.MAPPER.createObjectNode();
    common.put("semantics", SEMANTICS_VERSION);
    common.put("source", g.source());
    common.put("timestamp", timestampColumn);
    ArrayNode keys = common.putArray("keys");
    for (KeyColumn k : g.keys()) {
      keys.addObject().put("name", k.name()).put("type", k.type().sqlName()).set("expr", PlanJson.expr(k.expr()));
    }
    common.set("filter", PlanJson.expr(g.filter()));

    List<CompiledFeature> features = new ArrayList<>();
    ArrayNode featurePrints = PlanJson.MAPPER.createArrayNode();
    for (CompiledFeature f : g.features()) {
      CompiledAggregation a = g.aggregations().get(f.aggregationIndex());
      ObjectNode n = common.deepCopy();
      n.set("aggregation", PlanJson.aggregationSemantics(a));
      n.put("window", f.window().text());
      n.put("hop", f.hopMicros());
      String fp = sha256(n.toString());
      features.add(new CompiledFeature(f.name(), f.qualifiedName(), f.aggregation(), f.aggregationIndex(), f.window(),
          f.hopMicros(), f.type(), fp));
      featurePrints.addObject().put("name", f.name()).put("fingerprint", fp);
    }
    ObjectNode group = common.deepCopy();
    group.set("features", featurePrints);
    ArrayNode aggs = group.putArray("tile_aggregations");
    for (CompiledAggregation a : g.aggregations()) {
      aggs.add(PlanJson.aggregationSemantics(a));
    }
    group.set("tiles", PlanJson.tiles(g));
    String fingerprint = sha256(group.toString());
    return new CompiledGroup(g.name(), fingerprint, fingerprint.substring(0, 12), g.entity(), g.source(), g.keys(),
        g.filter(), g.aggregations(), features, g.tiles(), g.online(), g.offline(), g.ttlMicros(), g.freshnessMicros(),
        g.owner(), g.tags(), g.description());
  }

  public static String sha256(String text) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(md.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("Cannot fingerprint: SHA-256 is missing from this JVM", e);
    }
  }
}
