package dev.strata.dsl.lang;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.dsl.lang.Shape.AnyOf;
import dev.strata.dsl.lang.Shape.ListOf;
import dev.strata.dsl.lang.Shape.MapOf;
import dev.strata.dsl.lang.Shape.Obj;
import dev.strata.dsl.lang.Shape.Property;
import dev.strata.dsl.lang.Shape.Scalar;
import dev.strata.dsl.types.DataType;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Exports the {@link LanguageSpec} as JSON Schema (draft 2020-12), so editors complete and check
 * definition files. Generated from the same shapes the checker uses: the two cannot drift.
 */
public final class JsonSchemaExporter {
  public static final String SCHEMA_ID = "https://strata.dev/schemas/definitions-v1.json";
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private final ObjectNode defs = MAPPER.createObjectNode();
  private final Map<Obj, String> named = new IdentityHashMap<>();

  private JsonSchemaExporter() {}

  public static ObjectNode export() {
    JsonSchemaExporter e = new JsonSchemaExporter();
    ObjectNode root = MAPPER.createObjectNode();
    root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
    root.put("$id", SCHEMA_ID);
    root.put("title", "Strata definitions");
    ObjectNode body = e.object(LanguageSpec.FILE);
    root.setAll(body);
    root.set("$defs", e.defs);
    return root;
  }

  public static String exportPretty() {
    try {
      return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(export());
    } catch (com.fasterxml.jackson.core.JsonProcessingException ex) {
      throw new IllegalStateException("Cannot write JSON Schema", ex);
    }
  }

  private ObjectNode shape(Shape s) {
    if (s instanceof Obj o) {
      if (o == LanguageSpec.FILE) {
        return object(o);
      }
      String name = named.get(o);
      if (name == null) {
        name = o.title().replace(' ', '_');
        named.put(o, name);
        defs.set(name, object(o));
      }
      ObjectNode ref = MAPPER.createObjectNode();
      ref.put("$ref", "#/$defs/" + name);
      return ref;
    } else if (s instanceof MapOf m) {
      ObjectNode n = MAPPER.createObjectNode();
      n.put("description", m.description());
      ArrayNode types = n.putArray("type");
      types.add("object");
      types.add("null");
      if (m.keyPattern() != null) {
        ObjectNode names = n.putObject("propertyNames").put("pattern", m.keyPattern());
        if (m.keyPattern().equals(NameRules.NAME_PATTERN) || m.keyPattern().equals(NameRules.COLUMN_PATTERN)) {
          names.put("maxLength", NameRules.MAX_LENGTH);
        }
      }
      n.set("additionalProperties", shape(m.values()));
      return n;
    } else if (s instanceof ListOf l) {
      ObjectNode n = MAPPER.createObjectNode();
      n.put("description", l.description());
      n.put("type", "array");
      if (l.minItems() > 0) {
        n.put("minItems", l.minItems());
      }
      n.set("items", shape(l.items()));
      return n;
    } else if (s instanceof AnyOf a) {
      ObjectNode n = MAPPER.createObjectNode();
      n.put("description", a.description());
      ArrayNode alts = n.putArray("anyOf");
      a.alternatives().forEach(alt -> alts.add(shape(alt)));
      return n;
    }
    return scalar((Scalar) s);
  }

  private ObjectNode object(Obj o) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("description", o.description());
    n.put("type", "object");
    ObjectNode props = n.putObject("properties");
    ArrayNode required = MAPPER.createArrayNode();
    for (Map.Entry<String, Property> p : o.properties().entrySet()) {
      props.set(p.getKey(), shape(p.getValue().shape()));
      if (p.getValue().required()) {
        required.add(p.getKey());
      }
    }
    if (!required.isEmpty()) {
      n.set("required", required);
    }
    n.put("additionalProperties", false);
    return n;
  }

  private static ObjectNode scalar(Scalar s) {
    ObjectNode n = MAPPER.createObjectNode();
    n.put("description", s.description());
    switch (s.kind()) {
      case STRING, EXPRESSION -> {
        // YAML reads `input: 1` as a number; it is still valid expression text.
        ArrayNode t = n.putArray("type");
        t.add("string");
        t.add("number");
        t.add("boolean");
      }
      case NAME -> n.put("type", "string").put("pattern", NameRules.NAME_PATTERN).put("maxLength", NameRules.MAX_LENGTH);
      case COLUMN -> n.put("type", "string").put("pattern", NameRules.COLUMN_PATTERN).put("maxLength", NameRules.MAX_LENGTH);
      case TOPIC -> n.put("type", "string").put("pattern", NameRules.TOPIC_PATTERN);
      case INTEGER -> n.put("type", "integer");
      case NUMBER -> n.put("type", "number");
      case BOOLEAN -> n.put("type", "boolean");
      case DURATION -> n.put("type", "string").put("pattern", "^[1-9][0-9]*(s|m|h|d)$");
      case WINDOW -> n.put("type", "string").put("pattern", "^([1-9][0-9]*(s|m|h|d)|lifetime)$");
      case DATE -> n.put("type", "string").put("pattern", "^\\d{4}-\\d{2}-\\d{2}([T ].*)?$");
      case TYPE -> {
        ArrayNode e = n.putArray("enum");
        Arrays.stream(DataType.primitiveNames()).forEach(e::add);
      }
      case ENUM -> {
        ArrayNode e = n.putArray("enum");
        s.values().forEach(e::add);
      }
      default -> throw new IllegalStateException("Cannot export scalar kind " + s.kind());
    }
    return n;
  }
}
