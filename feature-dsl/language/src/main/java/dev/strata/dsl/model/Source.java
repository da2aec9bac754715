package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Schema;

/** Append-only facts with an event time, readable in batch and/or as a stream. */
public record Source(
    String name,
    String timestamp,
    Schema schema,
    Batch batch,
    Stream stream,
    String description,
    SourcePosition pos,
    SourcePosition timestampPos) {

  public Source {
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
    timestampPos = timestampPos == null ? pos : timestampPos;
  }

  /** A file path (relative to the project directory) or an Iceberg table. */
  public record Batch(String path, String table, String format) {}

  /** A Kafka topic or a replayed file, with the event-time settings of the stream job. */
  public record Stream(
      String kafkaTopic,
      String bootstrapServers,
      String groupId,
      String filePath,
      Double speed,
      String format,
      String avroSchema,
      long allowedLatenessMicros,
      long maxOutOfOrdernessMicros,
      long idleTimeoutMicros,
      String deadLetterTopic,
      String deadLetterPath) {
    public static final long DEFAULT_ALLOWED_LATENESS = Durations.HOUR;
    public static final long DEFAULT_MAX_OUT_OF_ORDERNESS = 10 * Durations.SECOND;
    public static final long DEFAULT_IDLE_TIMEOUT = Durations.MINUTE;

    public static Stream kafka(String topic, String format) {
      return new Stream(topic, null, null, null, null, format, null,
          DEFAULT_ALLOWED_LATENESS, DEFAULT_MAX_OUT_OF_ORDERNESS, DEFAULT_IDLE_TIMEOUT, null, null);
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public static final class Builder {
    private final String name;
    private String timestamp;
    private final Schema.Builder schema = Schema.builder();
    private Batch batch;
    private Stream stream;
    private String description;

    private Builder(String name) {
      this.name = name;
    }

    public Builder timestamp(String column) {
      this.timestamp = column;
      return this;
    }

    public Builder column(String column, DataType type) {
      schema.add(column, type);
      return this;
    }

    public Builder batchPath(String path) {
      this.batch = new Batch(path, null, null);
      return this;
    }

    public Builder batchTable(String table) {
      this.batch = new Batch(null, table, null);
      return this;
    }

    public Builder stream(Stream value) {
      this.stream = value;
      return this;
    }

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public Source build() {
      return new Source(name, timestamp, schema.build(), batch, stream, description, null, null);
    }
  }
}
