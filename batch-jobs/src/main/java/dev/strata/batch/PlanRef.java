package dev.strata.batch;

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
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * A project's definitions as shipped to executors. The compiled plan is not serializable, so
 * tasks carry the YAML text and compile it again (once per JVM): the same compiler, the same
 * plan, on a laptop or a cluster whose executors cannot see the project folder.
 */
public final class PlanRef implements Serializable {
  private static final long serialVersionUID = 1L;
  private static final Map<String, CompiledPlan> CACHE = new ConcurrentHashMap<>();

  private final String dirName;
  private final TreeMap<String, String> files;
  private final String hash;

  private PlanRef(String dirName, TreeMap<String, String> files) {
    this.dirName = dirName;
    this.files = files;
    this.hash = hash(dirName, files);
  }

  /** Snapshots the definition files of a project folder (what ProjectLoader reads). */
  public static PlanRef of(Path projectDir) {
    Path dir = projectDir.toAbsolutePath().normalize();
    TreeMap<String, String> files = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
        String rel = dir.relativize(p).toString();
        String n = p.getFileName().toString();
        boolean hidden = false;
        for (Path part : dir.relativize(p)) {
          hidden |= part.toString().startsWith(".");
        }
        if (!hidden && (n.endsWith(".yaml") || n.endsWith(".yml"))) {
          files.put(rel, Files.readString(p, StandardCharsets.UTF_8));
        }
      }
    } catch (IOException e) {
      throw new JobException("Cannot read the project at " + dir + ": " + e.getMessage() + ".");
    }
    PlanRef ref = new PlanRef(dir.getFileName().toString(), files);
    CACHE.put(ref.hash, compile(dir));
    return ref;
  }

  /** The compiled plan (compiled on first use in this JVM). */
  public CompiledPlan plan() {
    return CACHE.computeIfAbsent(hash, h -> {
      try {
        Path root = Files.createTempDirectory("strata-plan-").resolve(dirName);
        for (Map.Entry<String, String> f : files.entrySet()) {
          Path p = root.resolve(f.getKey());
          Files.createDirectories(p.getParent());
          Files.writeString(p, f.getValue(), StandardCharsets.UTF_8);
        }
        return compile(root);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  /** Loads and compiles a project; definition errors surface as file:line:col diagnostics. */
  public static CompiledPlan compile(Path dir) {
    ProjectLoader.Loaded loaded = ProjectLoader.load(dir);
    PlanCompiler.Result r = PlanCompiler.compile(loaded.project(), loaded.diagnostics());
    return r.plan().orElseThrow(() -> new DefinitionException(r.diagnostics().sorted()));
  }

  private static String hash(String dirName, Map<String, String> files) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      md.update(dirName.getBytes(StandardCharsets.UTF_8));
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
