package dev.strata.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a job jar as a child process: Spark and Flink never share a classpath with each other or
 * with the CLI (DESIGN.md). The same jars go to spark-submit / flink run on a cluster.
 */
final class JobLauncher {
  /** A job: its module, its jar and library folder under target/, and its main class. */
  record Job(String what, String module, String jar, String libDir, String mainClass, List<String> jvmOptions) {}

  private JobLauncher() {}

  /** The Strata checkout or distribution: set by the launcher script, else found from the working directory. */
  static Path home() {
    String prop = System.getProperty("strata.home");
    if (prop != null && !prop.isBlank()) {
      return Path.of(prop);
    }
    String env = System.getenv("STRATA_HOME");
    if (env != null && !env.isBlank()) {
      return Path.of(env);
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

  /** Runs the job with {@code args}, its output on this terminal; returns its exit code. */
  static int run(Job job, List<String> args) {
    Path target = home().resolve(job.module()).resolve("target");
    Path jar = target.resolve(job.jar());
    if (!Files.isRegularFile(jar)) {
      throw new UserException("Cannot run the " + job.what() + ": " + jar + " is missing; build it with "
          + "'mvn -DskipTests -pl " + job.module() + " -am package' (the ./strata launcher does this)");
    }
    String classpath = jar + (job.libDir() == null ? "" : java.io.File.pathSeparator + target.resolve(job.libDir()) + "/*");
    return runWithClasspath(job.what(), classpath, job.mainClass(), job.jvmOptions(), args);
  }

  /** Runs {@code mainClass} in a child JVM with its output on this terminal; returns its exit code. */
  static int runWithClasspath(String what, String classpath, String mainClass, List<String> jvmOptions, List<String> args) {
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
