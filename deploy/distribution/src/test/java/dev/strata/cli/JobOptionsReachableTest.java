package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Issue 16 item 4: every option of the batch job's commands is reachable from {@code strata}. The
 * job's options are read from the job jar's own {@code --help} (the jar spark-submit runs), so the
 * two command lines cannot drift apart unnoticed.
 */
class JobOptionsReachableTest {
  /** Options the CLI sets itself (the project, Spark's master) or every command has. */
  private static final Set<String> CLI_OWNED = Set.of("--project", "--master", "--help", "--version");
  /** Options of strata's commands that stay with the CLI (where the project is, standard help). */
  private static final Set<String> CLI_ONLY = Set.of("--dir", "--help", "--version");
  private static final Pattern OPTION = Pattern.compile("(?<![\\w-])(--[a-z][a-z0-9-]*)");

  @Test
  void everyBatchJobOptionIsAStrataOption() throws Exception {
    CommandLine strata = new CommandLine(new StrataCli());
    List<String> missing = new ArrayList<>();
    List<String> unknownToJob = new ArrayList<>();
    for (List<String> command : List.of(List.of("backfill"), List.of("training-set"), List.of("materialize"),
        List.of("monitor"), List.of("maintenance"), List.of("log", "ingest"))) {
      Set<String> job = jobOptions(command);
      assertThat(job).as(command + " --help of the job").isNotEmpty();
      CommandLine sub = strata;
      for (String name : command) {
        sub = sub.getSubcommands().get(name);
        assertThat(sub).as("strata " + String.join(" ", command)).isNotNull();
      }
      Set<String> cli = new TreeSet<>();
      sub.getCommandSpec().options().forEach(o -> cli.addAll(List.of(o.names())));
      for (String option : job) {
        if (!CLI_OWNED.contains(option) && !cli.contains(option)) {
          missing.add("strata " + String.join(" ", command) + " " + option);
        }
      }
      for (String option : cli) {
        if (option.startsWith("--") && !CLI_ONLY.contains(option) && !job.contains(option)) {
          unknownToJob.add("strata " + String.join(" ", command) + " " + option);
        }
      }
    }
    assertThat(missing).as("job options that strata does not offer").isEmpty();
    assertThat(unknownToJob).as("strata options that the job does not take").isEmpty();
  }

  /**
   * {@code strata stream} forwards every option it does not know to the Flink job untouched, so
   * each is reachable; its help must name them all, or a user never learns of one.
   */
  @Test
  void everyStreamJobOptionIsNamedByStrataStreamHelp() throws Exception {
    Path home = JobLauncher.home();
    Path target = JobLauncher.jobsDir(home, StreamCommand.JOB.module());
    Path jar = target.resolve(StreamCommand.JOB.jar());
    assertThat(jar).as("the stream job jar (built before deploy)").exists();
    Set<String> job = helpOptions(jar + java.io.File.pathSeparator + target.resolve(StreamCommand.JOB.libDir()) + "/*",
        StreamCommand.JOB.mainClass(), List.of());
    assertThat(job).as("the stream job's --help").contains("--file", "--sink", "--checkpoint-interval");
    String help = new CommandLine(new StrataCli()).getSubcommands().get("stream").getUsageMessage(CommandLine.Help.Ansi.OFF);
    Set<String> named = new TreeSet<>();
    Matcher m = OPTION.matcher(help);
    while (m.find()) {
      named.add(m.group(1));
    }
    List<String> missing = new ArrayList<>();
    for (String option : job) {
      if (!CLI_OWNED.contains(option) && !Set.of("--source").contains(option) && !named.contains(option)) {
        missing.add(option);
      }
    }
    assertThat(missing).as("stream job options that 'strata stream --help' does not name").isEmpty();
  }

  private static Set<String> jobOptions(List<String> command) throws IOException, InterruptedException {
    Path home = JobLauncher.home();
    Path target = JobLauncher.jobsDir(home, "batch-jobs");
    Path jar = target.resolve("strata-batch-jobs.jar");
    assertThat(jar).as("the batch job jar (built before deploy)").exists();
    return helpOptions(jar + java.io.File.pathSeparator + BatchCommands.sparkClasspath(home, target), BatchCommands.MAIN, command);
  }

  /** The option names of a job's {@code --help}, run as a child JVM the way the launcher runs it. */
  private static Set<String> helpOptions(String classpath, String main, List<String> command)
      throws IOException, InterruptedException {
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> argv = new ArrayList<>(List.of(java.toString(), "-cp", classpath, main));
    argv.addAll(command);
    argv.add("--help");
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (InputStream in = p.getInputStream()) {
      in.transferTo(out);
    }
    assertThat(p.waitFor()).as(out.toString(StandardCharsets.UTF_8)).isZero();
    Set<String> options = new TreeSet<>();
    for (String line : out.toString(StandardCharsets.UTF_8).lines().toList()) {
      String trimmed = line.strip();
      if (trimmed.startsWith("-")) { // an option's own line, not its description's mentions
        Matcher m = OPTION.matcher(trimmed.split("\\s{2,}")[0]);
        while (m.find()) {
          options.add(m.group(1));
        }
      }
    }
    return options;
  }
}
