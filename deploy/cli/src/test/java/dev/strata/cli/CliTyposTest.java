package dev.strata.cli;

import static dev.strata.cli.StrataCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.strata.cli.StrataCliTest.Run;
import org.junit.jupiter.api.Test;

/** Issue 19 item 3: command-line typos get a suggestion, and an unknown command never looks like it worked. */
class CliTyposTest {
  @Test
  void aMistypedCommandIsSuggested() {
    Run r = run("valdate", ".");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown command 'valdate'").contains("Did you mean: strata validate?");
  }

  @Test
  void aMistypedOptionIsSuggested() {
    Run r = run("plan", StrataCliTest.EXAMPLE.toString(), "--jsn");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).contains("Unknown option: '--jsn'").contains("Did you mean: strata plan --json");
  }

  @Test
  void helpOfAnUnknownCommandIsAnError() {
    Run r = run("ui", "--help");
    assertThat(r.code()).as("scripts must be able to tell").isEqualTo(2);
    assertThat(r.err()).contains("Unknown command 'ui'");
  }

  /** Issue 19 item 2: -C DIR everywhere (default .), the positional DIR kept as an alias. */
  @Test
  void theProjectDirectoryIsDashCEverywhere(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
    java.nio.file.Path dir = StrataCliTest.copyExample(tmp.resolve("flights"));
    for (String command : java.util.List.of("validate", "plan", "apply")) {
      Run dashC = run(command, "-C", dir.toString());
      assertThat(dashC.code()).as(command + ": " + dashC.err()).isZero();
      Run positional = run(command, dir.toString());
      assertThat(positional.code()).as(command + ": " + positional.err()).isZero();
      Run both = run(command, "-C", dir.toString(), tmp.toString());
      assertThat(both.code()).isEqualTo(1);
      assertThat(both.err()).contains("Cannot tell which project to use");
    }
    java.nio.file.Path out = tmp.resolve("manifests");
    for (String[] dirArgs : new String[][] {{"-C", dir.toString()}, {dir.toString()}}) {
      Run render = run(concat(new String[] {"deploy", "render"}, dirArgs, "--env", "prod", "--out", out.toString()));
      assertThat(render.code()).as(render.err()).isZero();
      assertThat(render.out()).contains("Rendered ");
      Run list = run(concat(new String[] {"registry", "list"}, dirArgs));
      assertThat(list.code()).as(list.err()).isZero();
      assertThat(list.out()).contains("flights");
      // serve runs until stopped: a bad option value after the directory shows the directory was taken
      Run serve = run(concat(new String[] {"serve"}, dirArgs, "--port", "0", "--log-max-age", "soon"));
      assertThat(serve.code()).isEqualTo(1);
      assertThat(serve.err()).contains("--log-max-age").doesNotContain("Cannot tell which project");
    }
    String[] twoDirs = {"-C", dir.toString(), tmp.toString()};
    for (String[] cmd : new String[][] {
        concat(new String[] {"deploy", "render"}, twoDirs, "--env", "prod", "--out", out.toString()),
        concat(new String[] {"registry", "list"}, twoDirs), concat(new String[] {"serve"}, twoDirs, "--port", "0")}) {
      Run both = run(cmd);
      assertThat(both.err()).as(String.join(" ", cmd)).contains("Cannot tell which project to use");
      assertThat(both.code()).isEqualTo(1);
    }
  }

  private static String[] concat(String[] head, String[] middle, String... tail) {
    java.util.List<String> all = new java.util.ArrayList<>(java.util.List.of(head));
    all.addAll(java.util.List.of(middle));
    all.addAll(java.util.List.of(tail));
    return all.toArray(new String[0]);
  }

  /** Issue 19 item 1: every command's summary in 'strata --help' is a whole sentence, not cut mid-way. */
  @Test
  void everySummaryIsAWholeSentence() {
    Run r = run("--help");
    assertThat(r.code()).isZero();
    java.util.List<String> lines = r.out().lines().toList();
    java.util.Map<String, String> summaries = new java.util.LinkedHashMap<>();
    String current = null;
    for (String line : lines.subList(lines.indexOf("Commands:") + 1, lines.size())) {
      if (line.isBlank()) {
        break;
      }
      if (line.startsWith("  ") && !line.startsWith("    ")) {
        current = line.strip().split("\\s+", 2)[0];
        summaries.put(current, line.strip().substring(current.length()).strip());
      } else if (current != null) {
        summaries.merge(current, line.strip(), (a, b) -> a + " " + b);
      }
    }
    assertThat(summaries).hasSizeGreaterThan(15);
    summaries.forEach((command, summary) -> assertThat(summary).as(command).endsWith(".").doesNotEndWith(":."));
  }

  @Test
  void configShowsEachSettingAndItsOrigin(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws java.io.IOException {
    java.nio.file.Path dir = StrataCliTest.copyExample(tmp.resolve("flights"));
    java.nio.file.Files.writeString(dir.resolve("strata.yaml"),
        "catalog:\n  uri: jdbc:postgresql://db:5432/strata\n  password: hunter2\nredis:\n  url: redis://:s3cret@cache:6379\n");
    Run r = run("config", "-C", dir.toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).doesNotContain("hunter2").doesNotContain("s3cret");
    assertThat(r.out().lines()).anySatisfy(l -> assertThat(l).startsWith("catalog.password").contains("****").endsWith("strata.yaml"))
        .anySatisfy(l -> assertThat(l).startsWith("catalog.namespace").contains("strata").endsWith("default"));
  }
}
