package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.testing.FlightsSample;
import dev.strata.dsl.time.Durations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.apache.avro.generic.GenericRecord;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The flights sample through a real Kafka broker (JSON, two partitions) into the job on a
 * MiniCluster: events shuffled within the allowed lateness, with 1% garbage among them. Every
 * garbage record is a counted dead letter with its reason; every tile is byte-identical to
 * GroupTiler's over the good events; the values assembled from the tiles are the oracle's. The
 * same for Avro records decoded with the source's schema file.
 */
class KafkaJobTest {
  @RegisterExtension
  static final MiniClusterExtension FLINK = new MiniClusterExtension(
      new MiniClusterResourceConfiguration.Builder().setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

  static final CompiledPlan PLAN = FlightsSample.plan();
  static final List<Object[]> EVENTS = FlightsSample.events();
  static KafkaBroker kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = new KafkaBroker();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  @Test
  void shuffledEventsWithGarbageGiveTheTilesBatchBuilds() throws Exception {
    CompiledSource source = PLAN.source("flights").orElseThrow();
    int timeIndex = source.schema().indexOf(source.timestamp());
    // Shuffled by up to half the allowed lateness (1h): every event is accepted.
    List<Object[]> shuffled = Events.shuffledWithin(EVENTS, timeIndex, 30 * Durations.MINUTE, 11);
    Random random = new Random(5);
    List<String> records = new ArrayList<>();
    int garbage = 0;
    for (Object[] row : shuffled) {
      records.add(Events.json(source.schema(), source.timestamp(), row));
      if (random.nextInt(100) == 0) {
        records.add(Events.garbage(random));
        garbage++;
      }
    }
    kafka.createTopic("flights-shuffled", 2);
    kafka.send("flights-shuffled", 2, records);

    Collected out = new Collected();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamPipeline.add(env, ProjectSnapshot.read(FlightsSample.exampleDir()), "flights",
        new StreamInput.Kafka(kafka.bootstrapServers(), "flights-shuffled", "strata-test", "json", true),
        out.tileSink(), out.deadLetterSink(), StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("kafka test");

    assertThat(garbage).isGreaterThan(100);
    assertThat(out.deadLetters).hasSize(garbage)
        .allSatisfy(l -> assertThat(l.reason()).startsWith("malformed record: "));
    Expected.assertSameTiles(out.tiles, Expected.tiles(PLAN, "flights", EVENTS));
    assertThat(Expected.assertOracleValues(PLAN, "flights", out.tiles, EVENTS, 10)).isGreaterThan(50);
  }

  @Test
  void eventsLaterThanTheAllowedLatenessAreDeadLetters() throws Exception {
    CompiledSource source = PLAN.source("flights").orElseThrow();
    long base = Durations.parseInstant("2001-01-03T10:00:00Z");
    List<Object[]> events = new ArrayList<>();
    for (int i = 0; i < 3000; i++) { // one event a minute, up to 2001-01-05T11:59
      events.add(new Object[] {base + i * Durations.MINUTE, (long) i, 500L, "ORD", "JFK"});
    }
    // Behind the latest event by 30m: accepted. By 2h: beyond the 1h allowed lateness.
    Object[] lateButAccepted = {base + 2969 * Durations.MINUTE + 1, 7L, 500L, "ORD", "JFK"};
    Object[] tooLate = {base + 2879 * Durations.MINUTE, 9L, 500L, "ORD", "JFK"};
    kafka.createTopic("flights-late", 1);
    kafka.send("flights-late", 1, events.stream().map(e -> Events.json(source.schema(), source.timestamp(), e)).toList());

    Collected out = new Collected();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(1);
    StreamPipeline.add(env, ProjectSnapshot.read(FlightsSample.exampleDir()), "flights",
        new StreamInput.Kafka(kafka.bootstrapServers(), "flights-late", "strata-test", "json", false),
        out.tileSink(), out.deadLetterSink(), 50);
    JobClient job = env.executeAsync("kafka late test");
    try {
      // The watermark is periodic: let the job take in every event first, then send the late ones.
      int firstTiles = Expected.tiles(PLAN, "flights", events).size();
      await(() -> out.tiles.size() == firstTiles, () -> out.tiles.size() + " of " + firstTiles + " tiles, " + out.deadLetters);
      Thread.sleep(500);
      String tooLateRecord = Events.json(source.schema(), source.timestamp(), tooLate);
      kafka.send("flights-late", 1, List.of(Events.json(source.schema(), source.timestamp(), lateButAccepted), tooLateRecord));
      List<Object[]> accepted = new ArrayList<>(events);
      accepted.add(lateButAccepted);
      Map<dev.strata.online.EncodedTile.Id, byte[]> expected = Expected.tiles(PLAN, "flights", accepted);
      await(() -> out.deadLetters.size() == 1 && expected.entrySet().stream()
          .allMatch(e -> out.tiles.containsKey(e.getKey()) && Arrays.equals(out.tiles.get(e.getKey()).bytes(), e.getValue())),
          () -> out.deadLetters.toString());

      assertThat(out.deadLetters).singleElement().satisfies(l -> {
        assertThat(l.reason()).isEqualTo("late event: 2001-01-05T09:59:00Z is more than the allowed lateness (1h) behind the "
            + "watermark 2001-01-05T11:58:49.999Z");
        assertThat(l.record()).isEqualTo(tooLateRecord);
      });
      Expected.assertSameTiles(out.tiles, expected);
    } finally {
      job.cancel().get();
    }
  }

  /**
   * The same through Avro: the example project with {@code format: avro} and a schema file; half
   * the records plain binary, half single-object encoded, with garbage of the kinds binary
   * producers send (truncated, padded, another schema's, text, empty).
   */
  @Test
  void avroRecordsWithASchemaFileGiveTheSameTiles(@TempDir Path dir) throws Exception {
    Path project = dir.resolve("flights");
    Files.createDirectories(project);
    try (var files = Files.list(FlightsSample.exampleDir())) {
      for (Path f : files.filter(f -> f.toString().endsWith(".yaml")).toList()) {
        Files.writeString(project.resolve(f.getFileName()), Files.readString(f));
      }
    }
    Path entities = project.resolve("entities.yaml");
    String yaml = Files.readString(entities);
    assertThat(yaml).contains("      format: json\n");
    Files.writeString(entities, yaml.replace("      format: json\n", "      format: avro\n      avro_schema: schemas/flight.avsc\n"));
    Files.createDirectories(project.resolve("schemas"));
    Files.writeString(project.resolve("schemas/flight.avsc"), AvroRecords.FLIGHTS_AVSC);
    ProjectSnapshot files = ProjectSnapshot.read(project);
    assertThat(files.plan().source("flights").orElseThrow().stream().format()).isEqualTo("avro");

    CompiledSource source = PLAN.source("flights").orElseThrow();
    int timeIndex = source.schema().indexOf(source.timestamp());
    List<Object[]> shuffled = Events.shuffledWithin(EVENTS, timeIndex, 30 * Durations.MINUTE, 13);
    AvroRecords avro = new AvroRecords(AvroRecords.FLIGHTS_AVSC);
    AvroRecords otherSchema = new AvroRecords(AvroRecords.FLIGHTS_AVSC.replace("\"Flight\"", "\"Departure\""));
    Random random = new Random(9);
    List<byte[]> records = new ArrayList<>();
    int garbage = 0;
    for (int i = 0; i < shuffled.size(); i++) {
      GenericRecord r = avro.flight(source.schema(), shuffled.get(i));
      records.add(i % 2 == 0 ? avro.binary(r) : avro.singleObject(r));
      if (random.nextInt(100) == 0) {
        byte[] good = avro.binary(r);
        records.add(switch (garbage++ % 5) {
          case 0 -> Arrays.copyOf(good, good.length - 1);
          case 1 -> Arrays.copyOf(good, good.length + 3);
          case 2 -> otherSchema.singleObject(otherSchema.flight(source.schema(), shuffled.get(i)));
          case 3 -> Events.json(source.schema(), source.timestamp(), shuffled.get(i)).getBytes(StandardCharsets.UTF_8);
          default -> new byte[0];
        });
      }
    }
    kafka.createTopic("flights-avro", 2);
    kafka.sendBytes("flights-avro", 2, records);

    Collected out = new Collected();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamPipeline.add(env, files, "flights",
        new StreamInput.Kafka(kafka.bootstrapServers(), "flights-avro", "strata-test", "avro", true),
        out.tileSink(), out.deadLetterSink(), StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("kafka avro test");

    assertThat(garbage).isGreaterThan(100);
    assertThat(out.deadLetters).hasSize(garbage).allSatisfy(l -> {
      assertThat(l.reason()).startsWith("malformed record: ");
      assertThat(l.record()).startsWith("base64:");
    });
    assertThat(out.deadLetters).anySatisfy(l -> assertThat(l.reason()).contains("of another schema"));
    Expected.assertSameTiles(out.tiles, Expected.tiles(PLAN, "flights", EVENTS));
    assertThat(Expected.assertOracleValues(PLAN, "flights", out.tiles, EVENTS, 10)).isGreaterThan(50);
  }

  /**
   * Dead letters to a Kafka topic: 1% garbage among a quarter of the sample → exactly the garbage
   * records in the dead-letter topic, byte for byte, each with its source and reason and the
   * partition and offset where the job read it; the good events still give GroupTiler's tiles.
   */
  @Test
  void garbageGoesToTheDeadLetterTopicAsReadWithItsReasonAndPosition() throws Exception {
    CompiledSource source = PLAN.source("flights").orElseThrow();
    int timeIndex = source.schema().indexOf(source.timestamp());
    List<Object[]> events = EVENTS.subList(0, 5000);
    Random random = new Random(17);
    List<String> records = new ArrayList<>();
    List<String> garbage = new ArrayList<>();
    for (Object[] row : Events.shuffledWithin(events, timeIndex, 30 * Durations.MINUTE, 19)) {
      records.add(Events.json(source.schema(), source.timestamp(), row));
      if (random.nextInt(100) == 0) {
        String g = Events.garbage(random) + " #" + garbage.size(); // each one distinct
        records.add(g);
        garbage.add(g);
      }
    }
    kafka.createTopic("flights-dl-in", 2);
    kafka.createTopic("flights-dead", 1);
    kafka.send("flights-dl-in", 2, records);

    Collected out = new Collected();
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setParallelism(2);
    StreamPipeline.add(env, ProjectSnapshot.read(FlightsSample.exampleDir()), "flights",
        new StreamInput.Kafka(kafka.bootstrapServers(), "flights-dl-in", "strata-test-dl", "json", true),
        out.tileSink(), KafkaDeadLetterSink.factory(kafka.bootstrapServers(), "flights-dead"),
        StreamPipeline.DEFAULT_FLUSH_INTERVAL_MS);
    env.execute("kafka dead-letter topic test");

    Map<String, byte[]> input = new java.util.HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll("flights-dl-in")) {
      input.put(r.partition() + "@" + r.offset(), r.value());
    }
    List<ConsumerRecord<byte[], byte[]>> letters = kafka.readAll("flights-dead");
    assertThat(garbage).hasSizeGreaterThan(30);
    assertThat(letters).extracting(r -> new String(r.value(), StandardCharsets.UTF_8)).containsExactlyInAnyOrderElementsOf(garbage);
    for (ConsumerRecord<byte[], byte[]> letter : letters) {
      assertThat(header(letter, KafkaDeadLetterSink.SOURCE_HEADER)).isEqualTo("flights");
      assertThat(header(letter, KafkaDeadLetterSink.REASON_HEADER)).startsWith("malformed record: ");
      assertThat(header(letter, KafkaDeadLetterSink.TOPIC_HEADER)).isEqualTo("flights-dl-in");
      String position = header(letter, KafkaDeadLetterSink.PARTITION_HEADER) + "@" + header(letter, KafkaDeadLetterSink.OFFSET_HEADER);
      assertThat(input.get(position)).as("the record at %s", position).isEqualTo(letter.value());
    }
    Expected.assertSameTiles(out.tiles, Expected.tiles(PLAN, "flights", events));
  }

  static String header(ConsumerRecord<byte[], byte[]> record, String name) {
    Header h = record.headers().lastHeader(name);
    return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
  }

  @Test
  void aMissingDeadLetterTopicIsOneSentenceBeforeTheJobStarts() {
    assertThatThrownBy(() -> KafkaCheck.checkTopic("send the dead letters of source 'flights'", kafka.bootstrapServers(),
        "no-such-dead-letters", 10_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot send the dead letters of source 'flights': Kafka topic 'no-such-dead-letters' does not exist at "
            + kafka.bootstrapServers());
  }

  static void await(BooleanSupplier condition, Supplier<String> state) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 60 s: %s", state.get()).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  @Test
  void aMissingTopicIsOneSentenceBeforeTheJobStarts() {
    assertThatThrownBy(() -> KafkaCheck.checkTopic("flights",
        new StreamInput.Kafka(kafka.bootstrapServers(), "no-such-topic", "g", "json", false), 10_000))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot stream source 'flights': Kafka topic 'no-such-topic' does not exist at " + kafka.bootstrapServers());
  }
}
