package dev.strata.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStore;
import dev.strata.online.OnlineStoreConfig;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(
    name = "get",
    header = "Fetch a service's online features for one entity row, straight from Redis.",
    mixinStandardHelpOptions = true,
    description = {
      "Fetch a service's online features for one entity row, as of now, straight from Redis,",
      "and print a table (feature, value, status, event time) or JSON.",
      "Example: strata get delay_model_v1 airport=ORD origin=ORD destination=LAX -C examples/flights"
    })
final class GetCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "SERVICE", description = "The feature service.")
  String service;

  @Parameters(index = "1..*", paramLabel = "KEY=VALUE", arity = "1..*",
      description = "Entity key values, e.g. airport=ORD (every key of every entity the service uses), and the"
          + " service's request inputs, e.g. distance=1745.")
  List<String> keys;

  @Option(names = {"-C", "--dir"}, paramLabel = "DIR", defaultValue = ".", description = "The project directory (default: .).")
  Path dir;

  @Option(names = "--json", description = "Print JSON.")
  boolean json;

  @Option(names = "--at", paramLabel = "TIME",
      description = {"Read exactly as of this instant instead of now (ISO-8601, e.g. 2001-03-31T23:30:00Z).",
          "Redis answers only instants after the latest event it holds for a key; for earlier instants the command",
          "names the earliest one it can answer (read the past from the offline tables)."})
  String at;

  @Override
  public Integer call() throws Exception {
    CompiledPlan plan = Projects.compile(dir);
    if (plan.service(service).isEmpty()) {
      throw new UserException("Cannot get features: project '" + plan.project() + "' has no feature service '" + service
          + "'" + dev.strata.dsl.diag.Suggestions.hint(service, plan.services().stream().map(s -> s.name()).toList()));
    }
    Map<String, Object> row = parseKeys(plan);
    StrataConfig config = StrataConfig.load(dir);
    OnlineStoreConfig store = OnlineStoreConfig.fromStrataConfig(config);
    try (OnlineStore online = OnlineStore.open(plan, store)) {
      OnlineReader reader = online.reader().build();
      OnlineFeatures features;
      try {
        features = at == null
            ? reader.getOnlineFeatures(service, List.of(row))
            : reader.getOnlineFeatures(service, List.of(row), parseAt());
      } catch (OnlineReader.InstantNotAnswerableException e) {
        throw new UserException(e.getMessage());
      }
      print(features);
    }
    return 0;
  }

  private long parseAt() {
    long micros;
    try {
      micros = Durations.parseInstant(at);
    } catch (IllegalArgumentException e) {
      throw new UserException("Cannot read --at '" + at + "': expected an ISO-8601 instant such as 2001-03-15T12:00:00Z");
    }
    if (!dev.strata.dsl.time.TimeDomain.contains(micros)) {
      throw new UserException("Cannot read --at '" + at + "': Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)");
    }
    return micros;
  }

  private Map<String, Object> parseKeys(CompiledPlan plan) {
    Map<String, DataType> types = new LinkedHashMap<>();
    for (CompiledPlan.CompiledEntity e : plan.entities()) {
      for (Field f : e.keys()) {
        types.putIfAbsent(f.name(), f.type());
      }
    }
    // A service's request inputs travel beside the keys (as in the server's "entities").
    Map<String, DataType> request = new LinkedHashMap<>();
    plan.service(service).ifPresent(s -> s.request().forEach(f -> request.put(f.name(), f.type())));
    Map<String, Object> row = new LinkedHashMap<>();
    for (String kv : keys) {
      int eq = kv.indexOf('=');
      if (eq <= 0) {
        throw new UserException("Cannot read entity key '" + kv + "': write it as key=value, e.g. airport=ORD");
      }
      String name = kv.substring(0, eq);
      String text = kv.substring(eq + 1);
      if (request.containsKey(name)) {
        try {
          row.put(name, TypedValues.parse(text, request.get(name))); // empty is NULL
        } catch (ValueFormatException e) {
          throw new UserException("Cannot read request input '" + name + "': " + e.getMessage());
        }
        continue;
      }
      DataType type = types.get(name);
      if (type == null) {
        java.util.Set<String> known = new java.util.LinkedHashSet<>(types.keySet());
        known.addAll(request.keySet());
        throw new UserException("Cannot read entity key '" + name + "': no entity has that key"
            + (request.isEmpty() ? "" : " and the service has no such request input")
            + dev.strata.dsl.diag.Suggestions.hint(name, known));
      }
      try {
        Object value = TypedValues.parse(text, type); // the text rules of every event file
        if (value == null) {
          throw new UserException("Cannot read entity key '" + name + "': it is empty");
        }
        row.put(name, value);
      } catch (ValueFormatException e) {
        throw new UserException("Cannot read entity key '" + name + "': " + e.getMessage());
      }
    }
    return row;
  }

  private void print(OnlineFeatures f) throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      ObjectMapper mapper = new ObjectMapper();
      ObjectNode root = mapper.createObjectNode();
      root.put("as_of", Durations.formatInstant(f.asOfMicros()));
      ArrayNode features = root.putArray("features");
      for (int i = 0; i < f.featureNames().size(); i++) {
        ObjectNode n = features.addObject();
        n.put("name", f.featureNames().get(i));
        n.set("value", mapper.valueToTree(f.value(0, i)));
        n.put("status", f.status(0, i).name());
        long t = f.eventTimeMicros(0, i);
        if (t == OnlineFeatures.NO_TIME) {
          n.putNull("event_time");
        } else {
          n.put("event_time", Durations.formatInstant(t));
        }
      }
      out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
      return;
    }
    int width = f.featureNames().stream().mapToInt(String::length).max().orElse(7);
    String format = "%-" + Math.max(width, 7) + "s  %-24s  %-11s  %s%n";
    out.printf(Locale.ROOT, format, "FEATURE", "VALUE", "STATUS", "EVENT TIME");
    for (int i = 0; i < f.featureNames().size(); i++) {
      long t = f.eventTimeMicros(0, i);
      out.printf(Locale.ROOT, format, f.featureNames().get(i), String.valueOf(f.value(0, i)), f.status(0, i),
          t == OnlineFeatures.NO_TIME ? "" : Durations.formatInstant(t));
    }
    out.println("(as of " + Durations.formatInstant(f.asOfMicros()) + ")");
    boolean notFound = false;
    for (int i = 0; i < f.featureNames().size(); i++) {
      notFound |= f.status(0, i) == FeatureStatus.NOT_FOUND;
    }
    if (notFound) {
      // Issue 19 item 8: a count that is null here is 0 in a training set; say so where it shows.
      out.println("NOT_FOUND: the online store has nothing for this entity (no events yet, expired after the group's ttl,");
      out.println("or a mistyped key), so its values are null, counts included, as Feast returns them. A training set");
      out.println("has a count of 0 for an entity without events: see online-store/README.md, \"Unknown entities\".");
    }
  }
}
