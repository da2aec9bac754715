package dev.strata.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.Error;
import com.networknt.schema.InputFormat;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * The published schemas in test resources k8s-schemas/ (see SOURCES.md there), as validators by
 * apiVersion and kind. Every object schema with properties that neither sets
 * additionalProperties nor x-kubernetes-preserve-unknown-fields is closed (additionalProperties:
 * false): Kubernetes' types are Go structs and CRDs are structural, so the API server's strict
 * field validation rejects unknown fields there too.
 */
final class KubernetesSchemas {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final String K8S = "kubernetes-v1.25.2-definitions.json";
  private static final String OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

  private final Map<String, Schema> byKind;

  KubernetesSchemas() {
    ObjectNode k8s = (ObjectNode) read(K8S).get("definitions");
    ObjectNode flink = (ObjectNode) read("flinkdeployment-flink.apache.org-v1beta1.json");
    ObjectNode monitor = (ObjectNode) read("servicemonitor-monitoring.coreos.com-v1.json").get("definitions");
    ObjectNode spark = (ObjectNode) read("sparkoperator.k8s.io-v1beta2.json").get("definitions");
    ObjectNode rule = (ObjectNode) read("prometheusrule-monitoring.coreos.com-v1.json").get("definitions");

    ObjectNode flinkRoot = NODES.objectNode();
    flinkRoot.put("type", "object");
    flinkRoot.set("required", NODES.arrayNode().add("apiVersion").add("kind").add("metadata").add("spec"));
    ObjectNode props = flinkRoot.putObject("properties");
    props.putObject("apiVersion").put("type", "string").putArray("enum").add("flink.apache.org/v1beta1");
    props.putObject("kind").put("type", "string").putArray("enum").add("FlinkDeployment");
    props.putObject("metadata").put("$ref", "#/definitions/" + OBJECT_META);
    props.set("spec", flink.get("properties").get("spec"));
    props.set("status", flink.get("properties").get("status"));

    this.byKind = Map.ofEntries(
        Map.entry("v1/ConfigMap", schema(k8s, ref("io.k8s.api.core.v1.ConfigMap"))),
        Map.entry("v1/PersistentVolumeClaim", schema(k8s, ref("io.k8s.api.core.v1.PersistentVolumeClaim"))),
        Map.entry("monitoring.coreos.com/v1/PrometheusRule", schema(merge(k8s, rule), ref("monitoring.coreos.com.v1.PrometheusRule"))),
        Map.entry("v1/Service", schema(k8s, ref("io.k8s.api.core.v1.Service"))),
        Map.entry("apps/v1/Deployment", schema(k8s, ref("io.k8s.api.apps.v1.Deployment"))),
        Map.entry("autoscaling/v2/HorizontalPodAutoscaler", schema(k8s, ref("io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler"))),
        Map.entry("monitoring.coreos.com/v1/ServiceMonitor", schema(merge(k8s, monitor), ref("monitoring.coreos.com.v1.ServiceMonitor"))),
        Map.entry("flink.apache.org/v1beta1/FlinkDeployment", schema(k8s, flinkRoot)),
        Map.entry("sparkoperator.k8s.io/v1beta2/SparkApplication", schema(merge(k8s, spark), ref("sparkoperator.k8s.io.v1beta2.SparkApplication"))),
        Map.entry("sparkoperator.k8s.io/v1beta2/ScheduledSparkApplication", schema(merge(k8s, spark), ref("sparkoperator.k8s.io.v1beta2.ScheduledSparkApplication"))));
  }

  /** The schema errors of one object (a YAML document), or an error when no schema covers its kind. */
  List<String> validate(String yaml) {
    JsonNode object = JSON.valueToTree(new Load(LoadSettings.builder().build()).loadFromString(yaml));
    String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    Schema schema = byKind.get(key);
    if (schema == null) {
      return List.of("no published schema for " + key);
    }
    return schema.validate(object.toString(), InputFormat.JSON).stream().map(Error::toString).toList();
  }

  private static Schema schema(ObjectNode definitions, ObjectNode root) {
    ObjectNode doc = root.deepCopy();
    doc.set("definitions", definitions.deepCopy());
    close(doc);
    return SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7).getSchema(doc.toString(), InputFormat.JSON);
  }

  private static ObjectNode ref(String id) {
    return NODES.objectNode().put("$ref", "#/definitions/" + id);
  }

  private static ObjectNode merge(ObjectNode a, ObjectNode b) {
    ObjectNode m = a.deepCopy();
    m.setAll(b.deepCopy());
    return m;
  }

  /** Closes every object schema below {@code node} (see the class comment). */
  private static void close(JsonNode node) {
    if (node instanceof ArrayNode array) {
      array.forEach(KubernetesSchemas::close);
      return;
    }
    if (!(node instanceof ObjectNode schema)) {
      return;
    }
    if (schema.get("properties") instanceof ObjectNode properties) {
      properties.forEach(KubernetesSchemas::close);
      if (!schema.has("additionalProperties") && !schema.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        schema.put("additionalProperties", false);
      }
    }
    for (String key : List.of("items", "additionalProperties", "oneOf", "anyOf", "allOf", "not")) {
      close(schema.get(key));
    }
    if (schema.get("definitions") instanceof ObjectNode defs) {
      for (Iterator<JsonNode> it = defs.elements(); it.hasNext(); ) {
        close(it.next());
      }
    }
  }

  private static JsonNode read(String name) {
    try (InputStream in = KubernetesSchemas.class.getResourceAsStream("/k8s-schemas/" + name)) {
      if (in == null) {
        throw new IllegalStateException("Cannot find test resource k8s-schemas/" + name);
      }
      return JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
