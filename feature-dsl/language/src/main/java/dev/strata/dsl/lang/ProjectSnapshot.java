package dev.strata.dsl.lang;

import dev.strata.dsl.diag.DefinitionException;
import dev.strata.dsl.diag.Diagnostics;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.PlanCompiler;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A project's definitions as text, read once: what a job ships to the machines that run it (a
 * Spark executor or a Flink task manager cannot see the project folder, and a compiled plan is not
 * serializable). The one path from a folder to a {@link CompiledPlan}: the files are those {@link
 * ProjectLoader} reads (one rule), compiled in memory with no temporary files, once per JVM and
 * content.
 *
 * <p>Immutable and serializable. {@link #resolve} turns paths the definitions name (data files,
 * schema files) into paths on the machine that read the snapshot.
 */
public final class ProjectSnapshot implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<String, CompiledPlan> PLANS = new ConcurrentHashMap<>();

  private final String defaultName;
  private final String root;
  private final LinkedHashMap<String, String> files;
  private final LinkedHashMap<String, String> labels;
  private final String fingerprint;

  private ProjectSnapshot(String defaultName, String root, Map<String, String> files, Map<String, String> labels) {
    this.defaultName = defaultName;
    this.root = root;
    this.files = new LinkedHashMap<>(files);
    this.labels = new LinkedHashMap<>(labels);
    this.fingerprint = fingerprint(defaultName, files);
  }

  /**
   * Reads the definition files of {@code dir}.
   *
   * @throws DefinitionException when a file cannot be read (not UTF-8, too large, binary) or the
   *     folder holds none, with the file's position
   */
  public static ProjectSnapshot read(Path dir) {
    Path root = dir.toAbsolutePath().normalize();
    Diagnostics diags = new Diagnostics();
    Map<String, String> labels = new LinkedHashMap<>();
    Map<String, String> files = ProjectLoader.readDefinitions(root, diags, labels);
    if (diags.hasErrors()) {
      throw new DefinitionException(diags.sorted());
    }
    return new ProjectSnapshot(ProjectLoader.defaultName(root), root.toString(), files, labels);
  }

  /** The files, path relative to the project folder → text, in the order they are loaded. */
  public Map<String, String> files() {
    return Collections.unmodifiableMap(files);
  }

  /** The folder the snapshot was read from (on the machine that read it). */
  public Path root() {
    return Path.of(root);
  }

  /** A path the definitions name, relative to the project folder (or absolute). */
  public Path resolve(String path) {
    return Path.of(root).resolve(path).normalize();
  }

  /** A hash of the definitions' text: equal snapshots compile to the same plan. */
  public String fingerprint() {
    return fingerprint;
  }

  /** Loads the definitions (the project, possibly partial, and every mistake). */
  public ProjectLoader.Loaded load() {
    Map<String, String> byLabel = new LinkedHashMap<>();
    files.forEach((path, text) -> byLabel.put(labels.getOrDefault(path, path), text));
    return ProjectLoader.load(defaultName, byLabel);
  }

  /**
   * The compiled plan, compiled once per JVM for these definitions.
   *
   * @throws DefinitionException listing every mistake, as {@code file:line:col: message}
   */
  public CompiledPlan plan() {
    CompiledPlan plan = PLANS.get(fingerprint);
    if (plan == null) {
      ProjectLoader.Loaded loaded = load();
      PlanCompiler.Result r = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
      plan = r.plan().orElseThrow(() -> new DefinitionException(r.diagnostics().sorted()));
      PLANS.putIfAbsent(fingerprint, plan);
    }
    return plan;
  }

  /** Reads and compiles a project folder: {@code read(dir).plan()}. */
  public static CompiledPlan compile(Path dir) {
    return read(dir).plan();
  }

  private static String fingerprint(String name, Map<String, String> files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(name.getBytes(StandardCharsets.UTF_8));
      for (Map.Entry<String, String> f : files.entrySet()) {
        md.update((byte) 0);
        md.update(f.getKey().getBytes(StandardCharsets.UTF_8));
        md.update((byte) 0);
        md.update(f.getValue().getBytes(StandardCharsets.UTF_8));
      }
      return HexFormat.of().formatHex(md.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
