package dev.strata.cli;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.strata.config.StrataConfig;
import dev.strata.config.StrataConfig.Origin;
import dev.strata.config.StrataConfig.Setting;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "config",
    mixinStandardHelpOptions = true,
    header = "Show the project's resolved settings and where each came from.",
    description = {
      "Show every setting of strata.yaml as Strata resolves it (environment variables win over the file,",
      "the file over the defaults) and where each value came from. Passwords are never printed."
    })
final class ConfigCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Mixin ProjectDir project;

  @Option(names = "--json", description = "Print the settings as JSON.")
  boolean json;

  @Override
  public Integer call() {
    Path dir = project.get();
    Projects.requireDirectory(dir);
    Map<String, String> env = System.getenv();
    StrataConfig config = StrataConfig.load(dir, env);
    List<Setting> settings = StrataConfig.settings(dir, env);
    PrintWriter out = spec.commandLine().getOut();
    ArrayNode list = JsonNodeFactory.instance.arrayNode();
    if (!json) {
      out.printf(Locale.ROOT, "%-24s  %-44s  %s%n", "SETTING", "VALUE", "FROM");
    }
    for (Setting s : settings) {
      String value = value(config, s.key());
      String from = switch (s.origin()) {
        case ENVIRONMENT -> "environment " + s.variable() + (s.overridesFile() ? " (overrides strata.yaml)" : "");
        case FILE -> "strata.yaml";
        case DEFAULT -> "default";
      };
      if (json) {
        list.addObject().put("key", s.key()).put("value", value).put("from", s.origin().name().toLowerCase(Locale.ROOT))
            .put("variable", s.variable()).put("overrides_file", s.overridesFile());
      } else {
        out.printf(Locale.ROOT, "%-24s  %-44s  %s%n", s.key(), value == null ? "(none)" : value, from);
      }
    }
    if (json) {
      out.println(list.toPrettyString());
    } else if (settings.stream().anyMatch(s -> s.origin() == Origin.ENVIRONMENT)) {
      out.println("Environment variables win over strata.yaml; unset them to use the file's values.");
    }
    out.flush();
    return 0;
  }

  private static String value(StrataConfig c, String key) {
    return switch (key) {
      case "warehouse" -> c.warehouse();
      case "catalog.uri" -> c.redactedCatalogUri();
      case "catalog.user" -> c.catalogUser();
      case "catalog.password" -> c.catalogPassword() == null ? null : "****";
      case "catalog.namespace" -> c.namespace();
      case "redis.url" -> c.redisUrl().replaceAll("(//[^/@:]*:)[^/@]*@", "$1****@");
      case "kafka.bootstrap_servers" -> c.kafkaBootstrapServers();
      default -> throw new IllegalStateException("Cannot show setting " + key + ": unknown");
    };
  }
}
