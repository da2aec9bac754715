package dev.strata.online.log;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15 item 1: the server in a JVM of its own with a 64 MB heap. Thousands of labels on
 * distinct days do not exhaust it (open files are bounded), times outside the window are 400s,
 * and every 202'd record is in a completed file after a stop, and after kill -9 and a restart.
 */
class ServingLogDurabilityTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newHttpClient();

  @TempDir
  Path dir;

  record Fork(Process process, int port, long recovered) {}

  Fork start() throws Exception {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
        ServingLogServerMain.class.getName(), dir.resolve("log").toString(), "4000")
        .redirectError(dir.resolve("fork-" + System.nanoTime() + ".err").toFile()).start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream()));
    String line = out.readLine();
    assertThat(line).as("the forked server's first line").startsWith("PORT ");
    String[] parts = line.split(" ");
    return new Fork(p, Integer.parseInt(parts[1]), Long.parseLong(parts[3]));
  }

  static int label(int port, String id, Instant time) throws Exception {
    String body = "{\"model\":\"m\",\"request_ids\":[\"" + id + "\"],\"labels\":[1],\"time\":\"" + time + "\"}";
    return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/log-labels"))
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  Set<String> logged() throws Exception {
    Set<String> ids = new HashSet<>();
    try (Stream<Path> files = Files.walk(dir.resolve("log"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".jsonl")).toList()) {
        for (String l : Files.readAllLines(f)) {
          assertThat(ids.add(JSON.readTree(l).path("request_id").asText())).as("logged once: " + l).isTrue();
        }
      }
    }
    return ids;
  }

  List<Path> inProgress() throws Exception {
    try (Stream<Path> files = Files.walk(dir.resolve("log"))) {
      return files.filter(p -> p.toString().endsWith(".inprogress")).toList();
    }
  }

  @Test
  void distinctDaysDoNotExhaustASmallHeapAndAcknowledgedRecordsSurviveStopAndKill() throws Exception {
    Instant today = Instant.now().truncatedTo(ChronoUnit.DAYS).plus(12, ChronoUnit.HOURS);
    Set<String> acknowledged = new HashSet<>();
    Fork fork = start();
    for (int d = 0; d < 2500; d++) {
      String id = "a-" + d;
      int status = label(fork.port(), id, today.minus(d, ChronoUnit.DAYS));
      assertThat(status).as(id).isEqualTo(202);
      acknowledged.add(id);
      if (d % 50 == 0) {
        // far outside the window (4000 days back, 1 ahead): refused, nothing held open for them
        assertThat(label(fork.port(), "x-" + d, today.minus(5000 + d, ChronoUnit.DAYS))).isEqualTo(400);
        assertThat(label(fork.port(), "y-" + d, today.plus(3 + d, ChronoUnit.DAYS))).isEqualTo(400);
      }
    }
    assertThat(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + fork.port() + "/health/ready")).build(),
        HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    assertThat(fork.process().isAlive()).isTrue();
    fork.process().destroy(); // SIGTERM: the server completes its files
    assertThat(fork.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(inProgress()).isEmpty();
    assertThat(logged()).isEqualTo(acknowledged);

    // kill -9 while files are open: the next start completes them, every acknowledged record is kept
    fork = start();
    for (int d = 0; d < 300; d++) {
      String id = "b-" + d;
      assertThat(label(fork.port(), id, today.minus(d % 40, ChronoUnit.DAYS))).as(id).isEqualTo(202);
      acknowledged.add(id);
    }
    fork.process().destroyForcibly().waitFor();
    assertThat(inProgress()).isNotEmpty();
    fork = start();
    assertThat(fork.recovered()).isPositive();
    assertThat(inProgress()).isEmpty();
    fork.process().destroy();
    assertThat(fork.process().waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(logged()).isEqualTo(acknowledged);
  }
}
