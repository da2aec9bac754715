package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.strata.dsl.io.EventCsv;
import dev.strata.dsl.io.EventFiles;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.oracle.CsvEvents;
import dev.strata.dsl.oracle.Oracle;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan.ServiceFeature;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.Python;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.Schema;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.RedisConnections;
import dev.strata.online.RedisLayout;
import dev.strata.online.store.RedisKvStore;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * Issue 14, one input dialect: a hostile CSV file (byte-order mark, CRLF, quoted commas, quotes
 * and a line break, empty vs quoted-empty strings, non-ASCII keys, a row with a cell too many, a
 * bad number, a time outside the time domain, an unbalanced quote) and the same events as JSON
 * lines, read by the Spark source (the batch job's SourceReader, in ranges of a few bytes, in a
 * child JVM), by the file replay (the stream job's parsing) and by the oracle's reader: the same
 * typed events and the same rejects with the same reasons. Then the values a key such as {@code
 * O'Hare, "Chicago"} gets are the oracle's in the training set (written as CSV, which Python's
 * csv module reads back to the exact keys) and online (the Flink job replaying the file into
 * Redis, read by the online reader).
 */
class HostileInputConformanceTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  /** Database 12: streaming-jobs' own. */
  static final String REDIS = "redis://127.0.0.1:6379/12";
  static final String OHARE = "O'Hare, \"Chicago\"";

  static final String DEFINITIONS = """
      entities:
        station:
          keys: { station: string }
      sources:
        weather:
          type: events
          timestamp: event_time
          schema: { event_time: timestamp, station: string, temp: double, reading: bigint, note: string, ok: boolean }
          batch: { path: data/weather.csv }
        probes:
          type: events
          timestamp: at
          schema: { at: timestamp, station: string }
          batch: { path: data/probes.csv }
      feature_groups:
        station_stats:
          entity: station
          source: weather
          keys: { station: station }
          aggregations:
            - { name: readings, function: count, windows: [1d, lifetime] }
            - { name: reading_sum, function: sum, input: reading, windows: [7d] }
            - { name: avg_temp, function: avg, input: temp, windows: [1d, 7d] }
            - { name: last_note, function: last, input: note, windows: [7d] }
            - { name: oks, function: sum, input: "CASE WHEN ok THEN 1 ELSE 0 END", windows: [7d] }
          online: true
      feature_services:
        station_v1:
          features: [station_stats.*]
      training_sets:
        station_set:
          service: station_v1
          spine: { source: probes, keys: { station: station } }
      """;

  /** Columns in another order than the schema's, and one the schema does not name. */
  static final String CSV = "\uFEFFstation,event_time,temp,reading,note,ok,extra\r\n"
      + "\"O'Hare, \"\"Chicago\"\"\",2024-03-01 10:00:00,1.5,10,\"multi\r\nline\",true,x\r\n"
      + "Zürich,2024-03-01T11:00:00Z,-0.0,20,\"\",false,\r\n"
      + "東京,2024-03-01 12:00:00,NaN,,,TRUE,\r\n"
      + "\"O'Hare, \"\"Chicago\"\"\",2024-03-01 13:00:00,2.5,\"30\",\"a, b\",,\r\n"
      + "\"O'Hare, \"\"Chicago\"\"\",2024-03-02,1e1,1.0,\"say \"\"hi\"\"\",false,\r\n"
      + "\"\",2024-03-01 14:00:00,1,1,empty key,true,\r\n"
      + ",2024-03-01 15:00:00,1,1,no key,true,\r\n"
      + "Zürich,2024-03-02 01:00:00,3,5,note,true\r\n"
      + "Zürich,2024-03-02 02:00:00,3,late,note,true,\r\n"
      + "São Paulo,0000-12-31 00:00:00,1,1,x,true,\r\n"
      + "São Paulo,2024-03-02 03:00:00,\"4,4,x,true,\r\n"
      + "São Paulo,2024-03-03 00:00:00,4,4,,true,x";

  /** The same events, and the rejects a JSON record can have, as JSON lines. */
  static final String JSON = "\uFEFF{\"event_time\": \"2024-03-01 10:00:00\", \"station\": \"O'Hare, \\\"Chicago\\\"\", \"temp\": 1.5,"
      + " \"reading\": 10, \"note\": \"multi\\r\\nline\", \"ok\": true, \"extra\": \"x\"}\r\n"
      + "{\"event_time\": \"2024-03-01T11:00:00Z\", \"station\": \"Zürich\", \"temp\": -0.0, \"reading\": \"20\", \"note\": \"\", \"ok\": false}\r\n"
      + "{\"event_time\": 1709294400000000, \"station\": \"東京\", \"temp\": \"NaN\", \"reading\": null, \"ok\": \"TRUE\"}\r\n"
      + "{\"EVENT_TIME\": \"2024-03-01 13:00:00\", \"station\": \"O'Hare, \\\"Chicago\\\"\", \"temp\": 2.5, \"reading\": 30, \"note\": \"a, b\"}\r\n"
      + "{\"event_time\": \"2024-03-02\", \"station\": \"O'Hare, \\\"Chicago\\\"\", \"temp\": 1e1, \"reading\": 1.0,"
      + " \"note\": \"say \\\"hi\\\"\", \"ok\": false}\r\n"
      + "{\"event_time\": \"2024-03-01 14:00:00\", \"station\": \"\", \"temp\": 1, \"reading\": 1, \"note\": \"empty key\", \"ok\": true}\r\n"
      + "\r\n"
      + "{\"event_time\": \"2024-03-01 15:00:00\", \"station\": null, \"temp\": 1, \"reading\": 1, \"note\": \"no key\", \"ok\": true}\r\n"
      + "[\"Zürich\", \"2024-03-02 01:00:00\"]\r\n"
      + "{\"event_time\": \"2024-03-02 02:00:00\", \"station\": \"Zürich\", \"temp\": 3, \"reading\": \"late\", \"note\": \"note\", \"ok\": true}\r\n"
      + "{\"event_time\": \"0000-12-31 00:00:00\", \"station\": \"São Paulo\", \"temp\": 1, \"reading\": 1, \"note\": \"x\", \"ok\": true}\r\n"
      + "{\"event_time\": \"2024-03-02 03:00:00\", \"station\": \"São Paulo\", \"temp\": \"4,4\r\n"
      + "{\"event_time\": \"2024-03-03 00:00:00\", \"station\": \"São Paulo\", \"temp\": 4, \"reading\": 4, \"note\": null, \"ok\": true}";

  static final String PROBES = "\uFEFFat,station\r\n"
      + "2024-03-04 00:00:00,\"O'Hare, \"\"Chicago\"\"\"\r\n"
      + "2024-03-01 13:30:00,\"O'Hare, \"\"Chicago\"\"\"\r\n"
      + "2024-03-04 00:00:00,Zürich\r\n"
      + "2024-03-01 12:00:00,東京\r\n"
      + "2024-03-02 12:00:00,東京\r\n"
      + "2024-03-04 00:00:00,São Paulo\r\n"
      + "2024-03-04 00:00:00,\"\"\r\n"
      + "2024-03-02 00:00:00,nobody\r\n";

  static final ObjectMapper MAPPER = new ObjectMapper();

  @Test
  void sparkReplayAndOracleReadTheSameEventsAndServeTheOraclesValues(@TempDir Path dir) throws Exception {
    Path project = dir.resolve("weather");
    Files.createDirectories(project.resolve("data"));
    Files.writeString(project.resolve("features.yaml"), DEFINITIONS);
    Files.writeString(project.resolve("data/weather.csv"), CSV, StandardCharsets.UTF_8);
    Files.writeString(project.resolve("data/weather.jsonl"), JSON, StandardCharsets.UTF_8);
    Files.writeString(project.resolve("data/probes.csv"), PROBES, StandardCharsets.UTF_8);
    String prefix = "t-hostile-" + System.nanoTime();
    Files.writeString(project.resolve("strata.yaml"), "warehouse: " + dir.resolve("warehouse") + "\n"
        + "redis:\n  url: \"" + REDIS + "?prefix=" + prefix + "\"\n");
    ProjectSnapshot files = ProjectSnapshot.read(project);
    CompiledPlan plan = files.plan();
    CompiledSource weather = plan.source("weather").orElseThrow();
    Schema schema = weather.schema();

    // The oracle's reader.
    CsvEvents.Result oracleCsv = CsvEvents.readAll(project.resolve("data/weather.csv"), schema, "event_time");
    CsvEvents.Result oracleJson = CsvEvents.readAll(project.resolve("data/weather.jsonl"), schema, "event_time");
    List<List<String>> events = sorted(oracleCsv.events().stream().map(r -> text(schema, r)).toList());
    assertThat(events).hasSize(8);
    assertThat(events).contains(Arrays.asList("2024-03-01T10:00:00Z", OHARE, "1.5", "10", "multi\r\nline", "true"),
        Arrays.asList("2024-03-01T11:00:00Z", "Zürich", "-0.0", "20", "", "false"),
        Arrays.asList("2024-03-01T12:00:00Z", "東京", "NaN", null, null, "true"),
        Arrays.asList("2024-03-01T15:00:00Z", null, "1.0", "1", "no key", "true"));
    List<List<String>> csvRejects = oracleCsv.rejects().stream().map(d -> List.of(d.text(), d.reason())).toList();
    assertThat(csvRejects).containsExactly(
        List.of("Zürich,2024-03-02 01:00:00,3,5,note,true", "expected 7 cells as in the header, got 6"),
        List.of("Zürich,2024-03-02 02:00:00,3,late,note,true,", "column 'reading': expected bigint, got 'late'"),
        List.of("São Paulo,0000-12-31 00:00:00,1,1,x,true,", "column 'event_time': Cannot use timestamp "
            + "0000-12-31T00:00:00Z: Strata's instants lie in [0001-01-01T00:00:00Z, 10000-01-01T00:00:00Z)"),
        List.of("São Paulo,2024-03-02 03:00:00,\"4,4,x,true,", "a quoted field is not closed (unbalanced quote)"));
    // The same events as JSON lines; the value rejects have the same reasons.
    assertThat(sorted(oracleJson.events().stream().map(r -> text(schema, r)).toList())).isEqualTo(events);
    List<List<String>> jsonRejects = oracleJson.rejects().stream().map(d -> List.of(d.text(), d.reason())).toList();
    assertThat(jsonRejects.stream().map(r -> r.get(1)).toList()).containsExactly(
        "expected a JSON object, got an array", csvRejects.get(1).get(1), csvRejects.get(2).get(1),
        "not JSON: Unexpected end-of-input: was expecting closing quote for a string value");

    // The stream job's parsing: the file replay, as the job builds it.
    for (String file : List.of("data/weather.csv", "data/weather.jsonl")) {
      StreamInput.File input = new StreamInput.File(project.resolve(file), null, 0);
      FileReplay replay = StreamPipeline.fileReplay(weather, input, StreamPipeline.parser(files, weather, input));
      replay.open(null);
      long n = FileReplay.count(input.path(), EventFiles.Format.of(null, file), dev.strata.dsl.io.EventDecoder.of(schema, "event_time"));
      List<List<String>> replayed = new ArrayList<>();
      List<List<String>> dead = new ArrayList<>();
      for (long i = 0; i < n; i++) {
        Parsed p = replay.map(i);
        if (p.isOk()) {
          replayed.add(text(schema, p.row()));
        } else {
          dead.add(List.of(p.record(), p.error()));
        }
      }
      assertThat(sorted(replayed)).as(file).isEqualTo(events);
      List<List<String>> expectedDead = (file.endsWith(".csv") ? csvRejects : jsonRejects).stream()
          .map(r -> List.of(r.get(0), "malformed record: " + r.get(1))).toList();
      assertThat(dead).as(file).containsExactlyInAnyOrderElementsOf(expectedDead);
    }

    // The Spark source (SourceReader in ranges of 64 bytes) and the training set, in a child JVM.
    Path out = dir.resolve("spark");
    Files.createDirectories(out);
    Path module = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    Path batchTarget = module.resolveSibling("batch-jobs").resolve("target");
    List<String> jvm = new ArrayList<>(BatchStreamTilesTest.sparkJvm(batchTarget.resolve("strata-batch-jobs.jar"),
        batchTarget.resolve("spark-classpath.txt")));
    jvm.add(1, "-Dspark.sql.files.maxPartitionBytes=64");
    BatchStreamTilesTest.runChild(dir.resolve("spark.log"), jvm, List.of(module.resolve("src/test/spark/SourceExport.java").toString(),
        project.toString(), out.toString(), "weather", "station_set", "data/weather.csv", "data/weather.jsonl"));
    assertThat(sorted(readEvents(out.resolve("file0.events")))).isEqualTo(events);
    assertThat(sorted(readEvents(out.resolve("file1.events")))).isEqualTo(events);
    assertThat(readRejects(out.resolve("rejects/file0"))).containsExactlyInAnyOrderElementsOf(csvRejects);
    assertThat(readRejects(out.resolve("rejects/file1"))).containsExactlyInAnyOrderElementsOf(jsonRejects);

    // The training set equals the oracle's, and Python reads back the exact keys.
    Oracle oracle = new Oracle(plan);
    CompiledSource probes = plan.source("probes").orElseThrow();
    List<Object[]> spine = CsvEvents.read(project.resolve("data/probes.csv"), probes.schema(), "at");
    assertThat(spine).hasSize(8);
    Map<String, List<Object[]>> eventsBySource = Map.of("weather", oracleCsv.events());
    List<Oracle.TrainingRow> expected = oracle.trainingSet("station_set", eventsBySource, spine);
    Path training = out.resolve("training.csv");
    List<EventCsv.Record> written = new ArrayList<>();
    try (EventCsv.RecordReader r = EventCsv.reader(new StringReader(Files.readString(training, StandardCharsets.UTF_8)))) {
      for (EventCsv.Record rec = r.next(); rec != null; rec = r.next()) {
        written.add(rec);
      }
    }
    List<String> header = written.get(0).cells();
    List<ServiceFeature> features = plan.service("station_v1").orElseThrow().features();
    assertThat(written).hasSize(1 + spine.size());
    int compared = 0;
    for (Oracle.TrainingRow want : expected) {
      String key = (String) want.keys().get("station").get(0);
      List<String> row = written.stream().skip(1).map(EventCsv.Record::cells)
          .filter(c -> c.get(header.indexOf("at")).equals(Durations.formatInstant(want.timestamp()))
              && Objects.equals(c.get(header.indexOf("station")), key))
          .findFirst().orElseThrow(() -> new AssertionError("no training row for " + key + " at " + want.timestamp()));
      for (ServiceFeature f : features) {
        String cell = row.get(header.indexOf(f.qualifiedName().replace(".", "__")));
        assertThat(TypedValues.parse(cell, f.type())).as("%s for '%s' at %s", f.qualifiedName(), key,
            Durations.formatInstant(want.timestamp())).isEqualTo(want.features().get(f.qualifiedName()));
        compared++;
      }
    }
    assertThat(compared).isEqualTo(spine.size() * features.size());
    if (Python.available()) {
      List<List<String>> python = Python.readCsv(training);
      int station = python.get(0).indexOf("station");
      assertThat(python.stream().skip(1).map(r -> r.get(station)).sorted().toList())
          .isEqualTo(spine.stream().map(r -> (String) r[1]).sorted().toList())
          .contains(OHARE, "Zürich", "東京", "São Paulo", "");
    }

    // Online: the Flink job replays the CSV file into Redis; the reader serves the oracle's values.
    Collected collected = new Collected();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamPipeline.add(env, files, "weather", new StreamInput.File(project.resolve("data/weather.csv"), "csv", 0),
        RedisTileWriterFactory.of(files, REDIS + "?prefix=" + prefix), collected.deadLetterSink(),
        StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("hostile input");
    assertThat(collected.deadLetters.stream().map(d -> List.of(d.record(), d.reason())).toList())
        .containsExactlyInAnyOrderElementsOf(csvRejects.stream().map(r -> List.of(r.get(0), "malformed record: " + r.get(1))).toList());
    try (UnifiedJedis redis = RedisConnections.open(OnlineStoreConfig.fromUrl(REDIS))) {
      try {
        OnlineReader reader = OnlineReader.builder(plan, RedisKvStore.of(redis)).layout(new RedisLayout(prefix)).build();
        List<String> keys = List.of(OHARE, "Zürich", "東京", "São Paulo", "");
        List<Map<String, Object>> rows = keys.stream().map(k -> Map.<String, Object>of("station", k)).toList();
        int checked = 0;
        // After the last event (the store answers as of its latest state), and a day later.
        for (long t : new long[] {Durations.parseInstant("2024-03-03T00:00:01Z"), Durations.parseInstant("2024-03-04T00:17:00Z")}) {
          OnlineFeatures got = reader.getOnlineFeatures("station_v1", rows, t);
          for (int r = 0; r < rows.size(); r++) {
            Map<String, Object> want = oracle.serviceFeatures("station_v1", eventsBySource,
                Map.of("station", List.of(keys.get(r))), t);
            for (int f = 0; f < got.featureNames().size(); f++) {
              String name = got.featureNames().get(f);
              String what = name + " for '" + keys.get(r) + "' as of " + Durations.formatInstant(t);
              if (got.status(r, f) == FeatureStatus.PRESENT) {
                assertThat(got.value(r, f)).as(what).isEqualTo(want.get(name));
                checked++;
              } else {
                Object e = want.get(name);
                assertThat(e == null || Objects.equals(e, 0L)).as("%s: oracle %s, online %s", what, e, got.status(r, f)).isTrue();
              }
            }
          }
        }
        assertThat(checked).as("present online values compared").isGreaterThan(20);
      } finally {
        BatchStreamTilesTest.deleteKeys(redis, prefix);
      }
    }
  }

  /** A row as the text forms of its values (exact for every double, NaN and -0.0 included). */
  static List<String> text(Schema schema, Object[] row) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < row.length; i++) {
      out.add(TypedValues.format(row[i], schema.field(i).type()));
    }
    return out;
  }

  static List<List<String>> sorted(List<List<String>> rows) {
    return rows.stream().sorted(Comparator.comparing(Object::toString)).toList();
  }

  static List<List<String>> readEvents(Path file) throws Exception {
    List<List<String>> out = new ArrayList<>();
    for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
      out.add(MAPPER.readValue(line, new TypeReference<List<String>>() {}));
    }
    return out;
  }

  /** SourceReader's reject files: (row, reason) pairs. */
  static List<List<String>> readRejects(Path folder) throws Exception {
    List<List<String>> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(folder)) {
      for (Path p : s.filter(p -> p.getFileName().toString().endsWith(".json")).toList()) {
        for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
          JsonNode n = MAPPER.readTree(line);
          out.add(List.of(n.get("row").asText(), n.get("reason").asText()));
        }
      }
    }
    return out;
  }
}
