package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the CLI finds the job jars: a checkout's module targets, or a distribution's jobs/. */
class JobLayoutTest {
  @TempDir Path home;

  @Test
  void aCheckoutRunsJobsFromTheModuleTargets() {
    assertThat(JobLauncher.isDistribution(home)).isFalse();
    assertThat(JobLauncher.jobsDir(home, "batch-jobs")).isEqualTo(home.resolve("batch-jobs/target"));
    assertThat(JobLauncher.howToBuild(home, "batch-jobs")).contains("mvn -DskipTests -pl batch-jobs -am package");
  }

  @Test
  void aDistributionRunsJobsFromJobs() throws IOException {
    Files.createDirectories(home.resolve("jobs"));
    assertThat(JobLauncher.isDistribution(home)).isTrue();
    assertThat(JobLauncher.jobsDir(home, "batch-jobs")).isEqualTo(home.resolve("jobs"));
    assertThat(JobLauncher.jobsDir(home, "streaming-jobs")).isEqualTo(home.resolve("jobs"));
    assertThat(JobLauncher.howToBuild(home, "batch-jobs")).contains("the distribution is incomplete");
  }

  @Test
  void sparkComesFromSparkLibFirstThenTheListedClasspath() throws IOException {
    Path jobs = Files.createDirectories(home.resolve("jobs"));
    Path listedJar = Files.createFile(home.resolve("spark-core.jar"));
    Files.writeString(jobs.resolve("spark-classpath.txt"), listedJar + "\n");
    if (System.getenv("SPARK_HOME") == null) {
      assertThat(BatchCommands.sparkClasspath(home, jobs)).isEqualTo(listedJar.toString());
    }
    Files.createDirectories(jobs.resolve("spark-lib"));
    assertThat(BatchCommands.sparkClasspath(home, jobs)).isEqualTo(jobs.resolve("spark-lib") + "/*");
  }

  @Test
  void aDistributionWithoutSparkSaysWhereToGetIt() throws IOException {
    Path jobs = Files.createDirectories(home.resolve("jobs"));
    Files.writeString(jobs.resolve("spark-classpath.txt"), "/nowhere/spark-core.jar\n"); // built on another machine
    if (System.getenv("SPARK_HOME") == null) {
      assertThatThrownBy(() -> BatchCommands.sparkClasspath(home, jobs))
          .isInstanceOf(UserException.class)
          .hasMessage("Cannot run the batch job: no Spark jars were found; set SPARK_HOME to a Spark 4.1.3 installation, "
              + "or use a full distribution (mvn package -Pdist puts Spark in jobs/spark-lib)");
    }
  }

  @Test
  void theBatchHeapComesFromTheEnvironmentThenThePropertyThenTheDefault() {
    assertThat(BatchCommands.heap("2g", "8g")).isEqualTo("2g");
    assertThat(BatchCommands.heap(null, "4096m")).isEqualTo("4096m");
    assertThat(BatchCommands.heap(" ", null)).isEqualTo("6g");
    assertThatThrownBy(() -> BatchCommands.heap("2 GB", null))
        .isInstanceOf(UserException.class)
        .hasMessage("Cannot run the batch job: STRATA_BATCH_MEMORY '2 GB' is not a heap size such as 2g or 4096m");
  }
}
