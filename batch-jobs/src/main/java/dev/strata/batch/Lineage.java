package dev.strata.batch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.io.FileManifest;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a training set was built from, recorded beside it (a {@code <file>.lineage.json} beside a
 * file, the table property {@code strata.lineage} of a table): the plan's group fingerprints, the
 * pins of the sources read (Iceberg snapshot ids, or file manifests), the spine, and the command.
 * {@code training-set --as-of} reads it and builds the same rows again.
 */
record Lineage(String trainingSet, String project, Map<String, String> groupFingerprints, List<SourcePin> sources,
               String spineFile, List<String> command, Instant builtAt) {
  static final int FORMAT_VERSION = 1;
  static final String TABLE_PROPERTY = "strata.lineage";
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  static Lineage of(CompiledPlan plan, String trainingSet, Map<String, SourcePin> pins, String spineFile, List<String> command) {
    Map<String, String> fingerprints = new LinkedHashMap<>();
    for (CompiledGroup g : plan.groups()) {
      fingerprints.put(g.name(), g.fingerprint());
    }
    return new Lineage(trainingSet, plan.project(), fingerprints, List.copyOf(pins.values()), spineFile, command, Instant.now());
  }

  String toJson() {
    ObjectNode root = JSON.createObjectNode();
    root.put("format_version", FORMAT_VERSION);
    root.put("training_set", trainingSet);
    root.put("project", project);
    root.put("built_at", builtAt.toString());
    ObjectNode groups = root.putObject("group_fingerprints");
    groupFingerprints.forEach(groups::put);
    ArrayNode list = root.putArray("sources");
    for (SourcePin p : sources) {
      ObjectNode n = list.addObject().put("source", p.source());
      if (p.manifest() == null) {
        n.put("table", p.table());
        if (p.snapshotId() == null) {
          n.putNull("snapshot_id");
        } else {
          n.put("snapshot_id", p.snapshotId());
        }
      } else {
        n.put("path", p.path());
        ArrayNode files = n.putArray("files");
        for (FileManifest.Entry e : p.manifest().files()) {
          files.addObject().put("path", e.path()).put("length", e.length()).put("sha256", e.sha256());
        }
      }
    }
    if (spineFile == null) {
      root.putNull("spine_file");
    } else {
      root.put("spine_file", spineFile);
    }
    ArrayNode cmd = root.putArray("command");
    command.forEach(cmd::add);
    try {
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      throw new IllegalStateException("Cannot write lineage: " + e.getMessage(), e);
    }
  }

  static Lineage parse(String json, String where) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root.path("format_version").asInt() != FORMAT_VERSION) {
        throw new JobException("Cannot read the lineage in " + where + ": format_version "
            + root.path("format_version") + " is not " + FORMAT_VERSION + ".");
      }
      Map<String, String> fingerprints = new LinkedHashMap<>();
      root.path("group_fingerprints").properties().forEach(e -> fingerprints.put(e.getKey(), e.getValue().asText()));
      List<SourcePin> pins = new ArrayList<>();
      for (JsonNode n : root.path("sources")) {
        if (n.has("files")) {
          List<FileManifest.Entry> files = new ArrayList<>();
          for (JsonNode f : n.path("files")) {
            files.add(new FileManifest.Entry(f.path("path").asText(), f.path("length").asLong(), f.path("sha256").asText()));
          }
          pins.add(SourcePin.files(n.path("source").asText(), n.path("path").asText(), new FileManifest(files)));
        } else {
          pins.add(SourcePin.table(n.path("source").asText(), n.path("table").asText(),
              n.path("snapshot_id").isNull() ? null : n.path("snapshot_id").asLong()));
        }
      }
      List<String> command = new ArrayList<>();
      root.path("command").forEach(c -> command.add(c.asText()));
      return new Lineage(root.path("training_set").asText(), root.path("project").asText(), fingerprints, pins,
          root.path("spine_file").isNull() ? null : root.path("spine_file").asText(), command,
          Instant.parse(root.path("built_at").asText()));
    } catch (IOException | RuntimeException e) {
      if (e instanceof JobException j) {
        throw j;
      }
      throw new JobException("Cannot read the lineage in " + where + ": " + StrataSpark.firstLine(e) + ".", e);
    }
  }

  /** The pins by source name. */
  Map<String, SourcePin> pins() {
    Map<String, SourcePin> m = new LinkedHashMap<>();
    sources.forEach(p -> m.put(p.source(), p));
    return m;
  }
}
