package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.copyExample;
import static dev.strata.cli.StrataCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCliTest.Run;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 15 item 11: strata maintenance is a command with help, and bad options are one sentence. */
class MaintenanceCommandTest {
  @Test
  void helpDescribesTheOptions() {
    Run help = run("maintenance", "--help");
    assertThat(help.code()).as(help.err()).isZero();
    assertThat(help.out()).contains("Expire old snapshots and delete orphan files").contains("--retention").contains("--keep-last")
        .contains("--older-than").contains("--dry-run").contains("-C");
    assertThat(run("--help").out()).contains("maintenance");
  }

  @Test
  void aBadDurationIsOneSentence(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    Run r = run("maintenance", "-C", dir.toString(), "--older-than", "a day");
    assertThat(r.code()).isBetween(1, 2);
    assertThat(r.err().strip()).isEqualTo("strata: Cannot read --older-than 'a day': expected a number and a unit s, m, h or d, such as 7d or 24h")
        .doesNotContain("\n");
    Run keep = run("maintenance", "-C", dir.toString(), "--keep-last", "0");
    assertThat(keep.code()).isBetween(1, 2);
    assertThat(keep.err().strip()).startsWith("strata: Cannot run maintenance: --keep-last must be at least 1").doesNotContain("\n");
  }
}
