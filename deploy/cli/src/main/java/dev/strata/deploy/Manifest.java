package dev.strata.deploy;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One Kubernetes object: its kind, name and body (maps, lists and scalars in the order they are
 * written). Its file is {@code <kind>-<name>.yaml}, so a render always writes the same names.
 */
public record Manifest(String kind, String name, Map<String, Object> body) {
  public Manifest {
    body = Collections.unmodifiableMap(new LinkedHashMap<>(body));
  }

  public String fileName() {
    return kind.toLowerCase(Locale.ROOT) + "-" + name + ".yaml";
  }
}
