package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.copyExample;
import static dev.strata.cli.StrataCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.cli.StrataCliTest.Run;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 17 item 6: {@code plan --detailed-exitcode} gates CI as Terraform's does (0 no changes,
 * 2 changes, 1 error, including usage errors) and {@code --json-diff} prints the same diff as JSON.
 */
class PlanExitCodeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void detailedExitCodeTellsChangesFromNoChangesFromErrors(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    Run fresh = run("plan", dir.toString(), "--detailed-exitcode");
    assertThat(fresh.code()).as("nothing applied yet: everything is a change").isEqualTo(2);
    assertThat(fresh.out()).contains("+ feature group origin_delays");

    assertThat(run("apply", dir.toString()).code()).isZero();
    Run applied = run("plan", dir.toString(), "--detailed-exitcode");
    assertThat(applied.code()).as(applied.out() + applied.err()).isZero();
    assertThat(applied.out()).contains("No changes");
    assertThat(run("plan", dir.toString()).code()).as("without the flag, changes or not, plan exits 0").isZero();

    Path features = dir.resolve("features.yaml");
    Files.writeString(features, Files.readString(features).replace("windows: [7d, 30d]", "windows: [7d, 14d]"));
    assertThat(run("plan", dir.toString(), "--detailed-exitcode").code()).isEqualTo(2);
    assertThat(run("plan", dir.toString()).code()).isZero();

    Files.writeString(features, "feature_groups: [");
    Run broken = run("plan", dir.toString(), "--detailed-exitcode");
    assertThat(broken.code()).isEqualTo(1);
    assertThat(run("plan", dir.toString(), "--detailed-exitcode", "--no-such-flag").code())
        .as("a usage error must not read as 'changes present'").isEqualTo(1);
    assertThat(run("plan", dir.toString(), "--no-such-flag").code()).as("usage errors stay 2 without the flag").isEqualTo(2);
  }

  @Test
  void jsonDiffListsTheChangesAndTheGroupsToBackfill(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    JsonNode fresh = JSON.readTree(run("plan", dir.toString(), "--json-diff").out());
    assertThat(fresh.get("project").asText()).isEqualTo("flights");
    assertThat(fresh.get("registry_version").isNull()).isTrue();
    assertThat(fresh.get("has_changes").asBoolean()).isTrue();
    assertThat(fresh.get("needs_backfill")).extracting(JsonNode::asText).contains("origin_delays", "route_delays");

    assertThat(run("apply", dir.toString()).code()).isZero();
    Path features = dir.resolve("features.yaml");
    Files.writeString(features, Files.readString(features).replace("windows: [7d, 30d]", "windows: [7d, 14d]"));
    Run r = run("plan", dir.toString(), "--json-diff", "--detailed-exitcode");
    assertThat(r.code()).isEqualTo(2);
    JsonNode diff = JSON.readTree(r.out());
    assertThat(diff.get("registry_version").asInt()).isEqualTo(1);
    assertThat(diff.get("needs_backfill")).extracting(JsonNode::asText).containsExactly("route_delays");
    assertThat(diff.get("changes")).anySatisfy(c -> {
      assertThat(c.get("kind").asText()).isEqualTo("feature_group");
      assertThat(c.get("name").asText()).isEqualTo("route_delays");
      assertThat(c.get("action").asText()).isEqualTo("changed");
    });

    Run both = run("plan", dir.toString(), "--json", "--detailed-exitcode");
    assertThat(both.code()).isEqualTo(1);
    assertThat(both.err().strip()).startsWith("strata: Cannot combine --json with --detailed-exitcode");
  }

  /** Issue 17 item 1: plan and apply ask the job ledger, so a version backfilled before apply is not "needs backfill". */
  @Test
  void aVersionAlreadyBackfilledIsNotNeedsBackfill(@TempDir Path tmp) throws IOException {
    Path dir = copyExample(tmp.resolve("flights"));
    var plan = dev.strata.dsl.lang.ProjectSnapshot.read(dir).plan();
    var route = plan.group("route_delays").orElseThrow();
    long jan1 = java.time.LocalDate.parse("2001-01-01").toEpochDay() * 86_400_000_000L;
    try (var registry = Projects.openRegistry(dev.strata.config.StrataConfig.load(dir))) {
      registry.jobs().recordRun(dev.strata.dsl.registry.JobRun.builder("flights", dev.strata.dsl.registry.JobKind.BACKFILL,
          "route_delays", route.version()).covered(jan1, jan1 + 31 * 86_400_000_000L).build());
      registry.jobs().recordRun(dev.strata.dsl.registry.JobRun.builder("flights", dev.strata.dsl.registry.JobKind.BACKFILL,
          "origin_delays", "some-older-version").covered(jan1, jan1 + 31 * 86_400_000_000L).build());
    }
    Run planned = run("plan", dir.toString());
    assertThat(planned.out()).contains("route_delays: new, version " + route.version() + "  [backfilled: 2001-01-01 .. 2001-01-31]")
        .contains("origin_delays: new, version").contains("backfill needed for: origin_delays, destination_delays\n");
    Run applied = run("apply", dir.toString());
    assertThat(applied.code()).as(applied.err()).isZero();
    assertThat(applied.out()).contains("[backfilled: 2001-01-01 .. 2001-01-31]")
        .contains("(groups with new versions: origin_delays, destination_delays)");
  }
}
