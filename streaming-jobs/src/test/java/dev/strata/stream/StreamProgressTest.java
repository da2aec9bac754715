package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.registry.JobKind;
import dev.strata.dsl.registry.JobRun;
import dev.strata.dsl.registry.Registry;
import dev.strata.dsl.registry.RegistryConfig;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.time.Durations;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 1: the stream records in the job ledger, per subtask and group version, the latest
 * event time it wrote and the watermark, when a checkpoint completes; one row per subtask, replaced
 * at each checkpoint. On the Flink MiniCluster, the project's own SQLite catalog.
 */
class StreamProgressTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  Path tmp;

  @Test
  void completedCheckpointsRecordTheLatestEventAndWatermarkPerGroupVersion() throws Exception {
    Path dir = PlanUpgradeJobTest.copyExample(tmp.resolve("flights"));
    ProjectSnapshot project = ProjectSnapshot.read(dir);
    CompiledPlan plan = project.plan();
    StrataConfig config = StrataConfig.load(dir);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    env.enableCheckpointing(200);
    // About three seconds of replay: several checkpoints complete while it runs.
    double speed = (90 * Durations.DAY / Durations.SECOND) / 3.0;
    Collected dead = new Collected();
    StreamPipeline.add(env, project, "flights", new StreamInput.File(RedisJobTest.CSV, "csv", speed),
        DiscardingTileWriter.factory(), dead.deadLetterSink(), 100,
        new StreamPipeline.LedgerTarget(plan.project(), config.catalogUri(), config.catalogUser(), config.catalogPassword()));
    env.execute("stream progress test");

    List<Object[]> events = FlightsSample.events();
    try (Registry registry = Registry.open(new RegistryConfig(config.catalogUri(), config.catalogUser(), config.catalogPassword()))) {
      for (String name : StreamPipeline.onlineGroups(plan, "flights")) {
        CompiledGroup g = plan.group(name).orElseThrow();
        GroupTiler tiler = GroupTiler.of(plan, name);
        long first = Long.MAX_VALUE;
        long latest = Long.MIN_VALUE;
        for (Object[] e : events) {
          if (tiler.keyOf(e) != null) {
            first = Math.min(first, (Long) e[0]);
            latest = Math.max(latest, (Long) e[0]);
          }
        }
        List<JobRun> runs = registry.jobs().runs(plan.project(), JobKind.STREAM, name, g.version());
        assertThat(runs).as("one row per subtask that saw tiles of %s, not one per checkpoint", name).hasSizeBetween(1, 2);
        assertThat(runs).allSatisfy(r -> assertThat(r.succeeded()).isTrue());
        // the final checkpoint, after the whole file: the latest event the group counts, and the first
        assertThat(runs.stream().mapToLong(JobRun::coveredTo).max().orElseThrow()).as(name).isEqualTo(latest + 1);
        assertThat(runs.stream().mapToLong(JobRun::coveredFrom).min().orElseThrow()).as(name).isEqualTo(first);
        assertThat(registry.jobs().covered(plan.project(), JobKind.STREAM, name, g.version()).end(0)).isEqualTo(latest + 1);
        long checkpoints = 0;
        for (JobRun r : runs) {
          JsonNode detail = JSON.readTree(r.detail());
          assertThat(detail.get("source").asText()).isEqualTo("flights");
          assertThat(detail.get("job").asText()).isNotBlank();
          assertThat(detail.get("latest_event").asText()).isEqualTo(Durations.formatInstant(r.coveredTo() - 1));
          assertThat(detail.get("tiles").asLong()).isEqualTo(r.rows()).isPositive();
          // the watermark of the last tile before the checkpoint trails the latest event
          assertThat(Durations.parseInstant(detail.get("watermark").asText())).isLessThan(r.coveredTo());
          checkpoints = Math.max(checkpoints, detail.get("checkpoint").asLong());
        }
        assertThat(checkpoints).as("several checkpoints completed, still one row per subtask").isGreaterThan(2);
      }
    }
    assertThat(dead.deadLetters).isEmpty();
  }
}
