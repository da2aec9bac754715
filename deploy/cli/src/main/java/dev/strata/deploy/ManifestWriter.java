package dev.strata.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.snakeyaml.engine.v2.api.Dump;
import org.snakeyaml.engine.v2.api.DumpSettings;
import org.snakeyaml.engine.v2.api.RepresentToNode;
import org.snakeyaml.engine.v2.common.FlowStyle;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.nodes.Tag;
import org.snakeyaml.engine.v2.representer.StandardRepresenter;

/** Writes manifests as YAML files, one object per file, through SnakeYAML Engine's emitter. */
public final class ManifestWriter {
  /** The label every rendered object carries; files with it are ours to replace. */
  static final String MARKER = "app.kubernetes.io/managed-by: strata";

  private ManifestWriter() {}

  /**
   * Plain scalars that YAML 1.1 reads as something other than a string (booleans such as on/no,
   * dates, octal or sexagesimal numbers). SnakeYAML Engine writes YAML 1.2, which leaves them
   * plain, but Kubernetes' YAML reader follows YAML 1.1 for them: a date argument would turn
   * into a timestamp. So they are quoted.
   */
  private static final Pattern YAML11_NOT_A_STRING = Pattern.compile(String.join("|",
      "y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF",
      "~|null|Null|NULL|",
      "[-+]?(0b[01_]+|0[0-7_]+|(0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(:[0-5]?[0-9])+)",
      "[-+]?([0-9][0-9_]*)?\\.[0-9.]*([eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*",
      "[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN)",
      "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*"));

  /** The YAML text of one manifest. */
  public static String toYaml(Manifest manifest) {
    return toYaml(manifest.body());
  }

  /** The YAML text of maps, lists and scalars, as Kubernetes reads it. */
  static String toYaml(Object data) {
    DumpSettings settings = DumpSettings.builder()
        .setDefaultFlowStyle(FlowStyle.BLOCK)
        .setIndent(2)
        .setIndicatorIndent(2)
        .setIndentWithIndicator(true)
        .setWidth(120)
        .setSplitLines(false)
        .build();
    return new Dump(settings, new KubernetesRepresenter(settings)).dumpToString(data);
  }

  /** Quotes the strings that Kubernetes' YAML 1.1 reading would not take as strings. */
  private static final class KubernetesRepresenter extends StandardRepresenter {
    KubernetesRepresenter(DumpSettings settings) {
      super(settings);
      RepresentToNode standard = representers.get(String.class);
      representers.put(String.class, data -> YAML11_NOT_A_STRING.matcher((String) data).matches()
          ? representScalar(Tag.STR, (String) data, ScalarStyle.SINGLE_QUOTED)
          : standard.representData(data));
    }
  }

  /**
   * Writes every manifest into {@code out} (created if missing) and removes the files of an
   * earlier render that this one no longer has (an object that was deleted from the plan), so the
   * folder can be applied with {@code kubectl apply -f}. Returns the files written, in order.
   */
  public static List<Path> write(List<Manifest> manifests, Path out) {
    try {
      Files.createDirectories(out);
      Set<String> names = new HashSet<>();
      List<Path> written = new ArrayList<>();
      for (Manifest m : manifests) {
        if (!names.add(m.fileName())) {
          throw new IllegalArgumentException("Cannot write " + m.fileName() + ": two objects have the same kind and name.");
        }
        Path file = out.resolve(m.fileName());
        Files.writeString(file, toYaml(m), StandardCharsets.UTF_8);
        written.add(file);
      }
      try (DirectoryStream<Path> old = Files.newDirectoryStream(out, "*.yaml")) {
        for (Path file : old) {
          if (!names.contains(file.getFileName().toString()) && Files.readString(file).contains(MARKER)) {
            Files.delete(file);
          }
        }
      }
      return written;
    } catch (IOException e) {
      throw new IllegalArgumentException("Cannot write manifests to " + out + ": " + e.getMessage() + ".", e);
    }
  }
}
