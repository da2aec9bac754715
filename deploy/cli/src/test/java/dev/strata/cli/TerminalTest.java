package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Terminal tests (issue 19): the CLI run as a user runs it, in its own process with a working
 * directory, its stdout, stderr and exit code compared with golden files under {@code
 * src/test/resources/terminal/}. The child is {@code java -cp <test classpath>
 * dev.strata.cli.StrataCli}, which is what {@code ./strata} runs, without the launcher's build
 * step; STRATA_* variables are removed from its environment so the host's settings do not leak.
 *
 * <p>After a deliberate change of a command's output, regenerate the files and review the diff:
 * {@code mvn -o -pl deploy/cli -am verify -Dtest=TerminalTest -Dsurefire.failIfNoSpecifiedTests=false
 * -DskipITs -Dstrata.golden.update=true}, then {@code git diff deploy/cli/src/test/resources/terminal}.
 * A new command fails here until its help file is generated that way.
 */
class TerminalTest {
  private static final Path GOLDEN = Path.of("src/test/resources/terminal");
  private static final boolean UPDATE = Boolean.getBoolean("strata.golden.update");

  record Terminal(int code, String out, String err) {
    /** The whole transcript as a golden file holds it. */
    String transcript() {
      return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
    }
  }

  /** Runs {@code strata args…} in {@code cwd}; paths under {@code tmp} print as {@code $TMP}. */
  static Terminal strata(Path cwd, Path tmp, String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Dstrata.home=" + Path.of("../..").toAbsolutePath().normalize(),
        "-cp", System.getProperty("java.class.path"), StrataCli.class.getName()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command).directory(cwd.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("STRATA_"));
    Path out = Files.createTempFile("strata-out", ".txt");
    Path err = Files.createTempFile("strata-err", ".txt");
    try {
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("strata %s finished", String.join(" ", args)).isTrue();
      return new Terminal(p.exitValue(), normalize(Files.readString(out, StandardCharsets.UTF_8), tmp),
          normalize(Files.readString(err, StandardCharsets.UTF_8), tmp));
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }

  private static String normalize(String text, Path tmp) throws IOException {
    String s = text.replace("\r\n", "\n");
    if (tmp != null) {
      s = s.replace(tmp.toRealPath().toString(), "$TMP").replace(tmp.toAbsolutePath().toString(), "$TMP");
    }
    return s;
  }

  /** Compares with (or, with -Dstrata.golden.update=true, writes) {@code terminal/<name>}. */
  static void assertGolden(String name, String actual) throws IOException {
    Path file = GOLDEN.resolve(name);
    if (UPDATE) {
      Files.createDirectories(file.getParent());
      Files.writeString(file, actual, StandardCharsets.UTF_8);
      return;
    }
    assertThat(file).as("golden file %s (new? run with -Dstrata.golden.update=true, see TerminalTest)", file).isRegularFile();
    assertThat(actual).as("%s (if the change is meant: -Dstrata.golden.update=true, see TerminalTest)", file)
        .isEqualTo(Files.readString(file, StandardCharsets.UTF_8));
  }

  /** Every command path: "" for strata itself, "registry list", …; picocli's own help command excluded. */
  private static Map<String, CommandLine> commands() {
    Map<String, CommandLine> all = new TreeMap<>();
    collect("", new CommandLine(new StrataCli()), all);
    return all;
  }

  private static void collect(String path, CommandLine cl, Map<String, CommandLine> all) {
    all.put(path, cl);
    cl.getSubcommands().forEach((name, sub) -> {
      if (!name.equals("help") && sub.getCommandSpec().name().equals(name)) { // aliases once
        collect(path.isEmpty() ? name : path + " " + name, sub, all);
      }
    });
  }

  @Test
  void helpOfEveryCommand(@TempDir Path tmp) throws Exception {
    Map<String, CommandLine> commands = commands();
    assertThat(commands).containsKeys("", "validate", "plan", "drift", "serve", "registry list", "deploy render");
    List<String> golden = new ArrayList<>();
    for (String path : commands.keySet()) {
      List<String> args = new ArrayList<>(path.isEmpty() ? List.of() : List.of(path.split(" ")));
      args.add("--help");
      Terminal t = strata(tmp, tmp, args.toArray(String[]::new));
      assertThat(t.code()).as("strata %s --help: %s", path, t.err()).isZero();
      assertThat(t.out()).as(path).contains("Usage: strata" + (path.isEmpty() ? "" : " " + path));
      String name = "help/" + (path.isEmpty() ? "strata" : "strata-" + path.replace(' ', '-')) + ".txt";
      golden.add(name);
      assertGolden(name, t.transcript());
    }
    // a golden file of a command that no longer exists is stale
    try (var files = Files.list(GOLDEN.resolve("help"))) {
      assertThat(files.map(f -> "help/" + f.getFileName())).containsExactlyInAnyOrderElementsOf(golden);
    }
  }

  @Test
  void aMistypedCommandAndOptionAreSuggested(@TempDir Path tmp) throws Exception {
    Terminal command = strata(tmp, tmp, "valdate");
    assertThat(command.code()).isEqualTo(2);
    assertGolden("typo-command.txt", command.transcript());
    Terminal option = strata(tmp, tmp, "plan", "--jsn");
    assertThat(option.code()).isEqualTo(2);
    assertGolden("typo-option.txt", option.transcript());
  }

  /** The acceptance of issue 19: strata init my-features && cd my-features && strata validate && strata plan. */
  @Test
  void initInAnEmptyDirectoryThenValidateAndPlan(@TempDir Path tmp) throws Exception {
    Terminal init = strata(tmp, tmp, "init", "my-features");
    assertThat(init.code()).as(init.err()).isZero();
    assertGolden("init.txt", init.transcript());
    Path project = tmp.resolve("my-features");
    assertThat(Files.readString(project.resolve(".gitignore")).lines()).contains(".strata/");
    try (var files = Files.walk(project)) {
      assertGolden("init-files.txt", String.join("\n", files.map(f -> project.relativize(f).toString().replace('\\', '/'))
          .filter(f -> !f.isEmpty()).sorted().toList()) + "\n");
    }
    Terminal validate = strata(project, tmp, "validate");
    assertThat(validate.code()).as(validate.err()).isZero();
    assertGolden("init-validate.txt", validate.transcript());
    Terminal plan = strata(project, tmp, "plan");
    assertThat(plan.code()).as(plan.err()).isZero();
    assertGolden("init-plan.txt", plan.transcript());
  }

  /** Issue 19 item 7: a timestamp column is skipped with a note, and --fail-on-drift exits 3. */
  @Test
  void driftOfTwoFilesWithATimestampColumn(@TempDir Path tmp) throws Exception {
    StringBuilder jan = new StringBuilder("date,delay,origin\n");
    StringBuilder mar = new StringBuilder("date,delay,origin\n");
    for (int i = 0; i < 200; i++) {
      // January: delays 0..19 and two airports; March: the same delays plus 30 minutes, a third airport
      jan.append(String.format(java.util.Locale.ROOT, "2001-01-%02d %02d:%02d:00,%d,%s%n", 1 + i % 28, i % 24, i % 60, i % 20,
          i % 2 == 0 ? "ORD" : "ATL"));
      mar.append(String.format(java.util.Locale.ROOT, "2001-03-%02dT%02d:%02d:00Z,%d,%s%n", 1 + i % 28, i % 24, i % 60,
          30 + i % 20, i % 3 == 0 ? "ORD" : i % 3 == 1 ? "ATL" : "SFO"));
    }
    Files.writeString(tmp.resolve("jan.csv"), jan);
    Files.writeString(tmp.resolve("mar.csv"), mar);
    Terminal drift = strata(tmp, tmp, "drift", "--reference", "jan.csv", "--current", "mar.csv");
    assertThat(drift.code()).as(drift.err()).isZero();
    assertThat(drift.out()).doesNotContain("date ");
    assertGolden("drift.txt", drift.transcript());
    Terminal failing = strata(tmp, tmp, "drift", "--reference", "jan.csv", "--current", "mar.csv", "--fail-on-drift");
    assertThat(failing.code()).isEqualTo(3);
    assertGolden("drift-fail-on-drift.txt", failing.transcript());
  }
}
