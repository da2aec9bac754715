package dev.strata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a job jar as a child process: Spark and Flink never share a classpath with each other or
 * with the CLI (docs/design.md). The same jars go to spark-submit / flink run on a cluster.
 */
final class JobLauncher {
  /** A job: its module, its jar and library folder under target/, and its main class. */
  record Job(String what, String module, String jar, String libDir, String mainClass, List<String> jvmOptions) {}

  private JobLauncher() {}

  /** The folder of a distribution's job jars and their libraries ({@code <home>/jobs}). */
  static final String DISTRIBUTION_JOBS = "jobs";

  /**
   * The Strata checkout or distribution: set by either launcher script (-Dstrata.home), else
   * STRATA_HOME, else the distribution whose lib/ holds this jar, else found from the working directory.
   */
  static Path home() {
    String prop = System.getProperty("strata.home");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String env = System.getenv("STRATA_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
    }
    Path distribution = distributionOfThisJar();
    if (distribution != null) {
      return distribution;
    }
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null) {
      if (Files.isDirectory(dir.resolve("deploy")) && Files.isRegularFile(dir.resolve("strata"))) {
        return dir;
      }
      dir = dir.getParent();
    }
    throw new UserException("Cannot find the Strata installation: set STRATA_HOME or run the ./strata launcher");
  }

  /** {@code <home>} when this class runs from {@code <home>/lib/*.jar} beside {@code <home>/jobs}, else null. */
  private static Path distributionOfThisJar() {
    try {
      Path jar = Path.of(JobLauncher.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path lib = jar.getParent();
      if (Files.isRegularFile(jar) && lib != null && lib.getFileName().toString().equals("lib") && lib.getParent() != null
          && Files.isDirectory(lib.getParent().resolve(DISTRIBUTION_JOBS))) {
        return lib.getParent();
      }
    } catch (Exception e) {
      // no code source (e.g. an unusual class loader): fall back to the working directory
    }
    return null;
  }

  /** True when {@code home} is a distribution (jobs/), false for a checkout (<module>/target/). */
  static boolean isDistribution(Path home) {
    return Files.isDirectory(home.resolve(DISTRIBUTION_JOBS));
  }

  /** Where a job module's jar and libraries are: {@code <home>/jobs} in a distribution, {@code <home>/<module>/target} in a checkout. */
  static Path jobsDir(Path home, String module) {
    return isDistribution(home) ? home.resolve(DISTRIBUTION_JOBS) : home.resolve(module).resolve("target");
  }

  /** The sentence that says how to get a missing job jar, for the layout of {@code home}. */
  static String howToBuild(Path home, String module) {
    return isDistribution(home)
        ? "the distribution is incomplete; rebuild it with 'mvn package' (deploy/distribution/target/strata-<version>)"
        : "build it with 'mvn -DskipTests -pl " + module + " -am package' (the ./strata launcher does this)";
  }

  /** Runs the job with {@code args}, its output on this terminal; returns its exit code. */
  static int run(Job job, List<String> args) {
    Path home = home();
    Path target = jobsDir(home, job.module());
    Path jar = target.resolve(job.jar());
    if (!Files.isRegularFile(jar)) {
      throw new UserException("Cannot run the " + job.what() + ": " + jar + " is missing; " + howToBuild(home, job.module()));
    }
    String classpath = jar + (job.libDir() == null ? "" : java.io.File.pathSeparator + target.resolve(job.libDir()) + "/*");
    return runWithClasspath(job.what(), classpath, job.mainClass(), job.jvmOptions(), args);
  }

  /** What a killed job leaves behind when nothing more specific is known. */
  static final String GENERIC_AFTERMATH = "what it had not committed stays invisible; rerun the same command to finish";

  /** Runs {@code mainClass} in a child JVM with its output on this terminal; returns its exit code. */
  static int runWithClasspath(String what, String classpath, String mainClass, List<String> jvmOptions, List<String> args) {
    return runWithClasspath(what, classpath, mainClass, jvmOptions, args, GENERIC_AFTERMATH);
  }

  /**
   * As {@link #runWithClasspath(String, String, String, List, List)}; when a signal ends the child
   * (kill -9, the kernel's out-of-memory killer, a container limit: exit 128 + n), says so in one
   * sentence on stderr with {@code aftermath} (what stays readable, what to do) instead of exiting
   * without a word.
   */
  static int runWithClasspath(String what, String classpath, String mainClass, List<String> jvmOptions, List<String> args,
      String aftermath) {
    int code = runChild(what, classpath, mainClass, jvmOptions, args);
    killedSentence(what, code, aftermath).ifPresent(sentence -> {
      System.err.println(sentence);
      System.err.flush();
    });
    return code;
  }

  /**
   * "strata: the backfill job was killed (signal 9, exit 137); ..." for an exit code of 128 + a
   * signal number (how Java reports a child a signal ended, and how a JVM exits on SIGTERM), else empty.
   */
  static java.util.Optional<String> killedSentence(String what, int exitCode, String aftermath) {
    if (exitCode <= 128 || exitCode > 128 + 64) {
      return java.util.Optional.empty();
    }
    int signal = exitCode - 128;
    String name = switch (signal) {
      case 1 -> "SIGHUP";
      case 2 -> "SIGINT";
      case 6 -> "SIGABRT";
      case 9 -> "SIGKILL";
      case 11 -> "SIGSEGV";
      case 15 -> "SIGTERM";
      default -> null;
    };
    String cause = signal == 9 ? ": kill -9, or the system ran out of memory" : signal == 2 ? ": interrupted" : "";
    return java.util.Optional.of("strata: the " + what + " was killed (signal " + signal + (name == null ? "" : " " + name)
        + ", exit " + exitCode + cause + "); " + aftermath);
  }

  private static int runChild(String what, String classpath, String mainClass, List<String> jvmOptions, List<String> args) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-cp");
    command.add(classpath);
    command.add(mainClass);
    command.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    try {
      Process p = pb.start();
      Runtime.getRuntime().addShutdownHook(new Thread(p::destroy, "strata-job-stop"));
      return p.waitFor();
    } catch (IOException e) {
      throw new UserException("Cannot start the " + what + ": " + e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 130;
    }
  }
}
