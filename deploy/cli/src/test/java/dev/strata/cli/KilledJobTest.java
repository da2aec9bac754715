package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A job the CLI launches that a signal ends (kill -9, the out-of-memory killer) used to leave the
 * CLI exiting 137 without a word (issue 15, item 11): now one sentence says what happened, what
 * stays readable and what to do, and the exit code stays non-zero.
 */
class KilledJobTest {
  /** A child JVM that sends itself {@code args[0]} (a signal name) and waits to be ended by it. */
  public static final class SelfKill {
    public static void main(String[] args) throws Exception {
      long pid = ProcessHandle.current().pid();
      new ProcessBuilder("kill", "-" + args[0], Long.toString(pid)).inheritIO().start().waitFor();
      Thread.sleep(60_000); // the signal ends this JVM long before
      System.exit(0);
    }
  }

  private record Run(int code, String err) {}

  private static Run launch(String signal, String aftermath) {
    PrintStream saved = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    try {
      int code = JobLauncher.runWithClasspath("backfill job", System.getProperty("java.class.path"),
          SelfKill.class.getName(), List.of("-Xmx64m"), List.of(signal), aftermath);
      return new Run(code, err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setErr(saved);
    }
  }

  @Test
  void aJobKilledBySigkillGetsOneSentence() {
    Run r = launch("KILL", BatchCommands.aftermath("backfill"));
    assertThat(r.code()).isEqualTo(137);
    assertThat(r.err().strip()).isEqualTo("strata: the backfill job was killed (signal 9 SIGKILL, exit 137: kill -9, or the system"
        + " ran out of memory); the previous snapshot stays readable (Iceberg commits all or nothing); rerun the same command"
        + " to finish");
  }

  @Test
  void aJobEndedBySigtermGetsOneSentence() {
    Run r = launch("TERM", JobLauncher.GENERIC_AFTERMATH);
    assertThat(r.code()).isEqualTo(143);
    assertThat(r.err().strip()).isEqualTo("strata: the backfill job was killed (signal 15 SIGTERM, exit 143); what it had not"
        + " committed stays invisible; rerun the same command to finish");
  }

  @Test
  void anOrdinaryExitSaysNothingMore() {
    assertThat(JobLauncher.killedSentence("backfill job", 0, "x")).isEmpty();
    assertThat(JobLauncher.killedSentence("backfill job", 1, "x")).isEmpty();
    assertThat(JobLauncher.killedSentence("monitor job", 3, "x")).isEmpty();
  }
}
