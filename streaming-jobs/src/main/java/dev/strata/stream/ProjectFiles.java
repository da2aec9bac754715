package dev.strata.stream;

import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.lang.ProjectLoader;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanCompiler;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The definition files of a project, as text. Functions carry this instead of the compiled plan
 * (which is not serializable) and compile it again where they run, so a cluster's task managers
 * never need the project directory. Immutable.
 */
public final class ProjectFiles implements Serializable {
  private static final long serialVersionUID = 1L;

  private final String dirName;
  private final String root; // where the project was read; other files it names (.avsc) are read there, when the job is built
  private final LinkedHashMap<String, String> files;
  private transient CompiledPlan plan;

  private ProjectFiles(String dirName, String root, Map<String, String> files) {
    this.dirName = dirName;
    this.root = root;
    this.files = new LinkedHashMap<>(files);
  }

  /** Reads every YAML file under {@code dir} (definitions, same selection as the loader). */
  public static ProjectFiles read(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).sorted(Comparator.naturalOrder()).toList()) {
        String name = p.getFileName().toString();
        String rel = root.relativize(p).toString();
        if ((name.endsWith(".yaml") || name.endsWith(".yml")) && !rel.startsWith(".")) {
          files.put(rel, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot read project " + root + ": " + e.getMessage(), e);
    }
    Path name = root.getFileName();
    return new ProjectFiles(name == null ? "project" : name.toString(), root.toString(), files);
  }

  /** A path the definitions name (relative to the project directory, or absolute). */
  public Path resolve(String path) {
    return Path.of(root).resolve(path).normalize();
  }

  /** The compiled plan, compiled once per JVM object; fails on a definition error. */
  public synchronized CompiledPlan plan() {
    if (plan == null) {
      plan = compile();
    }
    return plan;
  }

  private CompiledPlan compile() {
    try {
      // The loader reads a directory; the directory name is the default project name.
      Path tmp = Files.createTempDirectory("strata-project");
      Path dir = tmp.resolve(dirName);
      try {
        for (Map.Entry<String, String> f : files.entrySet()) {
          Path target = dir.resolve(f.getKey());
          Files.createDirectories(target.getParent());
          Files.writeString(target, f.getValue(), StandardCharsets.UTF_8);
        }
        return compile(dir);
      } finally {
        deleteRecursively(tmp);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot compile the project's definitions: " + e.getMessage(), e);
    }
  }

  /** Loads and compiles a project directory; throws DefinitionException listing every mistake. */
  public static CompiledPlan compile(Path dir) {
    ProjectLoader.Loaded loaded = ProjectLoader.load(dir);
    PlanCompiler.Result r = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
    return r.plan().orElseThrow(() -> new DefinitionException(r.diagnostics().sorted()));
  }

  private static void deleteRecursively(Path root) throws IOException {
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    }
  }
}
