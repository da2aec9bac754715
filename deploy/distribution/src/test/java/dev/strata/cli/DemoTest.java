package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * strata demo end to end: the job jars as child processes, Iceberg, the real Redis, the Flink
 * job, the online reader checked against the oracle, the drift report.
 */
class DemoTest {
  @Test
  void theDemoRunsTheWholeLoop(@TempDir Path tmp) {
    Path dir = tmp.resolve("demo");
    StrataCliTest.Run r = StrataCliTest.run("demo", "--dir", dir.toString());
    assertThat(r.code()).as(r.out() + r.err()).isZero();
    assertThat(r.out())
        .contains("[9/9] drift report")
        .contains("online values (4 routes x 15 features) equal the oracle's")
        .contains("./strata get delay_model_v1 airport=ORD origin=ORD destination=LAX --at 2001-04-01T00:00:00Z");
    assertThat(dir.resolve("out/delay_training.parquet")).exists();
    assertThat(dir.resolve("out/drift-report.html")).exists();
    // A second run recreates its own folder; a folder it did not make is refused.
    assertThat(Files.exists(dir.resolve(".strata-demo"))).isTrue();
    StrataCliTest.Run refused = StrataCliTest.run("demo", "--dir", tmp.toString());
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err().strip()).startsWith("strata: Cannot run the demo in").endsWith("(choose another --dir)");
  }
}
