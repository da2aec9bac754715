package dev.strata.stream;

import dev.strata.dsl.io.EventDecoder;
import dev.strata.dsl.io.EventFiles;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.model.Source;
import dev.strata.dsl.plan.CompiledPlan.CompiledGroup;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.online.EncodedTile;
import dev.strata.online.TileWriter;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.util.OutputTag;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The tiling pipeline of one source, added to an environment: records → rows (malformed → dead
 * letters) → event-time watermarks → one keyed event per online group → open tiles in keyed
 * state → changed tiles to the tile sink. Every semantic decision (filter, keys, tile starts,
 * IRs, encodings) is feature-dsl's {@link dev.strata.dsl.tile.GroupTiler}; this class only wires.
 */
public final class StreamPipeline {
  /** Where the stream records its progress: the project and its catalog database (see {@link StreamProgress}). */
  public record LedgerTarget(String project, String catalogUri, String user, String password) implements java.io.Serializable {}

  /** Defaults: flush tiles at least every 200 ms, or at 5,000 waiting tiles. */
  public static final long DEFAULT_FLUSH_INTERVAL_MS = 200;
  public static final int DEFAULT_MAX_PENDING_TILES = 5_000;

  private StreamPipeline() {}

  /** The online groups of a source, in plan order; empty when the source feeds none. */
  public static List<String> onlineGroups(CompiledPlan plan, String source) {
    return plan.groups().stream().filter(g -> g.online() && g.source().equals(source)).map(CompiledGroup::name).toList();
  }

  /**
   * Adds the pipeline of {@code sourceName} to {@code env}.
   *
   * @throws IllegalArgumentException (one sentence) when the source cannot be streamed as asked
   */
  public static void add(StreamExecutionEnvironment env, ProjectSnapshot project, String sourceName, StreamInput input,
      TileWriter.Factory tiles, DeadLetterSink.Factory deadLetters, long flushIntervalMs) {
    add(env, project, sourceName, input, tiles, deadLetters, flushIntervalMs, null);
  }

  /**
   * Adds the pipeline of {@code sourceName} to {@code env}, recording its progress at every
   * completed checkpoint in the job ledger of {@code ledger}'s catalog database (none when null).
   *
   * @throws IllegalArgumentException (one sentence) when the source cannot be streamed as asked
   */
  public static void add(StreamExecutionEnvironment env, ProjectSnapshot project, String sourceName, StreamInput input,
      TileWriter.Factory tiles, DeadLetterSink.Factory deadLetters, long flushIntervalMs, LedgerTarget ledger) {
    CompiledPlan plan = project.plan();
    CompiledSource source = plan.source(sourceName)
        .orElseThrow(() -> new IllegalArgumentException("Cannot stream source '" + sourceName + "': no such source in the project"));
    List<String> groups = onlineGroups(plan, sourceName);
    if (groups.isEmpty()) {
      throw new IllegalArgumentException("Cannot stream source '" + sourceName + "': no online feature group reads it");
    }
    if (input instanceof StreamInput.File f && !java.nio.file.Files.isReadable(f.path())) {
      throw new IllegalArgumentException("Cannot replay " + f.path() + ": no such readable file");
    }
    Source.Stream settings = source.stream() != null ? source.stream() : Source.Stream.kafka(null, "json");
    OutputTag<DeadLetter> deadTag = new OutputTag<>("dead-letters", TypeInformation.of(DeadLetter.class));

    RecordParser parser = parser(project, source, input);
    // Watermarks at the source: Kafka tracks them per partition, so a partition read ahead of
    // another does not make the other's events late.
    WatermarkStrategy<Parsed> watermarks = WatermarkStrategy
        .<Parsed>forBoundedOutOfOrderness(Duration.ofNanos(settings.maxOutOfOrdernessMicros() * 1000))
        .withTimestampAssigner((p, previous) -> p.isOk() ? Math.floorDiv(p.micros(), 1000L) : Long.MIN_VALUE)
        .withIdleness(Duration.ofNanos(Math.max(1, settings.idleTimeoutMicros()) * 1000));
    // Operators never mutate their input (rows, keys, tiles are immutable in effect): no defensive copies between them.
    env.getConfig().enableObjectReuse();

    SingleOutputStreamOperator<KeyedEvent> keyed = records(env, source, input, parser, watermarks)
        .map(new Counted<Parsed>(RunCounters.events(sourceName))).returns(TypeInformation.of(Parsed.class))
        .name("count events " + sourceName).uid("count-events-" + sourceName)
        .process(new KeyFunction(project, sourceName, groups, settings.allowedLatenessMicros(), deadTag))
        .name("key " + sourceName).uid("key-" + sourceName);
    SingleOutputStreamOperator<EncodedTile> tileWrites = keyed
        .keyBy(KeyedEvent::stateKey)
        .process(new TileFunction(project, sourceName, groups, settings.allowedLatenessMicros(), deadTag))
        .name("tiles " + sourceName).uid("tiles-" + sourceName);

    SingleOutputStreamOperator<EncodedTile> counted = tileWrites.map(new Counted<EncodedTile>(RunCounters.tiles(sourceName)))
        .returns(TypeInformation.of(EncodedTile.class))
        .name("count tiles " + sourceName).uid("count-tiles-" + sourceName);
    counted.sinkTo(new TileWriterSink(tiles, flushIntervalMs, DEFAULT_MAX_PENDING_TILES))
        .name("tile sink " + sourceName).uid("tile-sink-" + sourceName);
    if (ledger != null) {
      // beside the sink, on the same tiles: at a completed checkpoint both have passed its barrier
      counted.process(new StreamProgress(ledger, sourceName)).returns(Types.VOID)
          .name("ledger " + sourceName).uid("ledger-" + sourceName)
          .sinkTo(new DiscardingSink<>()).name("ledger end " + sourceName).uid("ledger-end-" + sourceName);
    }
    keyed.getSideOutput(deadTag).union(tileWrites.getSideOutput(deadTag))
        .map(new Counted<DeadLetter>(RunCounters.deadLetters(sourceName))).returns(TypeInformation.of(DeadLetter.class))
        .name("count dead letters " + sourceName).uid("count-dead-letters-" + sourceName)
        .sinkTo(new DeadLetterSinkAdapter(deadLetters)).name("dead letters " + sourceName).uid("dead-letters-" + sourceName);
  }

  /** The parser of the input's records; null for Parquet files, whose rows are read as values, not parsed. */
  static RecordParser parser(ProjectSnapshot project, CompiledSource source, StreamInput input) {
    RowFormat format = formatOf(project, source, input);
    return format == null ? null : new RecordParser(format, source.schema().indexOf(source.timestamp()), source.timestamp());
  }

  /** The record format of the input; null for Parquet files, whose rows are read as values, not parsed. */
  private static RowFormat formatOf(ProjectSnapshot project, CompiledSource source, StreamInput input) {
    if (input instanceof StreamInput.File f) {
      String format = fileFormat(f);
      if (format.equals("parquet")) {
        return null;
      }
      if (!format.equals("csv") && !format.equals("json")) {
        // A text replay reads lines, and Avro files (containers) are not Avro messages.
        throw new IllegalArgumentException("Cannot replay " + f.path() + " as " + format + ": files replay as json, csv or parquet");
      }
      if (format.equals("csv")) {
        java.util.List<String> header = EventFiles.csvHeader(f.path());
        try {
          return Formats.of(source, format, header, project);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("Cannot replay " + f.path() + ": " + e.getMessage());
        }
      }
      return Formats.of(source, format, null, project);
    }
    return Formats.of(source, ((StreamInput.Kafka) input).format(), null, project);
  }

  // The Kafka connector takes only the deprecated OffsetResetStrategy for committed offsets.
  @SuppressWarnings("deprecation")
  private static DataStream<Parsed> records(StreamExecutionEnvironment env, CompiledSource source, StreamInput input,
      RecordParser parser, WatermarkStrategy<Parsed> watermarks) {
    if (input instanceof StreamInput.Kafka k) {
      KafkaSourceBuilder<Parsed> b = KafkaSource.<Parsed>builder()
          .setBootstrapServers(k.bootstrapServers())
          .setTopics(k.topic())
          .setGroupId(k.groupId())
          .setStartingOffsets(OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST))
          .setDeserializer(new KafkaRecords(parser));
      if (k.bounded()) {
        b.setBounded(OffsetsInitializer.latest());
      }
      return env.fromSource(b.build(), watermarks, "kafka " + k.topic())
          .uid("kafka-" + source.name());
    }
    StreamInput.File f = (StreamInput.File) input;
    if (fileFormat(f).equals("parquet")) {
      ParquetReplay.Checked parquet = ParquetReplay.check(f.path(), source.schema(), source.timestamp(), f.speed());
      // One reader: the replay is globally ordered by event time.
      return env.fromSource(new DataGeneratorSource<>(parquet.replay(), parquet.rows(), TypeInformation.of(Parsed.class)),
              watermarks, "replay " + f.path().getFileName())
          .setParallelism(1).uid("replay-" + source.name());
    }
    FileReplay replay = fileReplay(source, f, parser);
    long count = FileReplay.count(f.path(), EventFiles.Format.of(fileFormat(f), f.path().getFileName().toString()),
        EventDecoder.of(source.schema(), source.timestamp()));
    // One reader: the replay is globally ordered by event time.
    return env.fromSource(new DataGeneratorSource<>(replay, count, TypeInformation.of(Parsed.class)), watermarks,
            "replay " + f.path().getFileName())
        .setParallelism(1).uid("replay-" + source.name());
  }

  /** The replay of a CSV or JSON file, as the job runs it. */
  static FileReplay fileReplay(CompiledSource source, StreamInput.File f, RecordParser parser) {
    EventFiles.Format format = EventFiles.Format.of(fileFormat(f), f.path().getFileName().toString());
    return new FileReplay(f.path(), format, EventDecoder.of(source.schema(), source.timestamp()), parser, f.speed());
  }

  static String formatFromName(String fileName) {
    String n = fileName.toLowerCase(java.util.Locale.ROOT);
    if (n.endsWith(".gz")) {
      n = n.substring(0, n.length() - 3);
    }
    if (n.endsWith(".csv")) {
      return "csv";
    }
    if (n.endsWith(".parquet")) {
      return "parquet";
    }
    return "json"; // .json, .jsonl, .ndjson (each optionally .gz)
  }

  /** The format of a replayed file, lower case: as given, else from its name. */
  static String fileFormat(StreamInput.File f) {
    return (f.format() != null ? f.format() : formatFromName(f.path().getFileName().toString())).toLowerCase(java.util.Locale.ROOT);
  }
}
