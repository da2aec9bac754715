package dev.strata.dsl.lang;

import static dev.strata.dsl.lang.Shape.object;

import dev.strata.dsl.agg.AggregationFunction;
import dev.strata.dsl.lang.Shape.AnyOf;
import dev.strata.dsl.lang.Shape.Kind;
import dev.strata.dsl.lang.Shape.ListOf;
import dev.strata.dsl.lang.Shape.MapOf;
import dev.strata.dsl.lang.Shape.Obj;
import dev.strata.dsl.lang.Shape.Scalar;
import dev.strata.dsl.model.Monitor;
import java.util.Arrays;
import java.util.List;

/** The definition language, declared once. Every key a definition may use appears here. */
public final class LanguageSpec {
  /** Names of entities, sources, groups, aggregations...: see {@link NameRules}, which also limits their length. */
  public static final String NAME_PATTERN = NameRules.NAME_PATTERN;

  /** Names of columns (source schemas, entity keys): see {@link NameRules}. */
  public static final String COLUMN_PATTERN = NameRules.COLUMN_PATTERN;

  private LanguageSpec() {}

  static Scalar scalar(Kind kind, String description) {
    return new Scalar(kind, List.of(), description);
  }

  static Scalar oneOf(String description, List<String> values) {
    return new Scalar(Kind.ENUM, values, description);
  }

  private static final Scalar NAME = scalar(Kind.NAME, "A name.");
  private static final Scalar STRING = scalar(Kind.STRING, "Free text.");
  private static final Scalar DESCRIPTION = scalar(Kind.STRING, "What this is, for people.");
  private static final Scalar DURATION = scalar(Kind.DURATION, "A duration: 30s, 15m, 1h, 7d.");
  private static final Scalar TYPE = scalar(Kind.TYPE, "A column type.");

  private static MapOf mapOf(Shape values, String description) {
    return new MapOf(values, NAME_PATTERN, description);
  }

  private static MapOf columns(Shape values, String description) {
    return new MapOf(values, COLUMN_PATTERN, description);
  }

  private static ListOf listOf(Shape items, int minItems, String description) {
    return new ListOf(items, minItems, description);
  }

  public static final Obj ENTITY =
      object("entity", "A thing features describe, identified by one or more typed keys.")
          .required("keys", columns(TYPE, "Key columns and their types, in order."))
          .optional("description", DESCRIPTION)
          .build();

  public static final Obj BATCH_SOURCE =
      object("batch source", "Where the batch jobs read the events: a file path or an Iceberg table.")
          .optional("path", scalar(Kind.STRING, "A Parquet, CSV or JSON file or folder, relative to the project."))
          .optional("table", scalar(Kind.STRING, "An Iceberg table, namespace.name."))
          .optional("format", oneOf("File format; by default from the file extension.", List.of("parquet", "csv", "json")))
          .build();

  public static final Obj KAFKA =
      object("kafka", "A Kafka topic.")
          .required("topic", scalar(Kind.TOPIC, "The topic."))
          .optional("bootstrap_servers", scalar(Kind.STRING, "host:port,...; by default from strata.yaml."))
          .optional("group_id", STRING)
          .build();

  public static final Obj FILE_STREAM =
      object("file stream", "A file replayed in event-time order.")
          .required("path", STRING)
          .optional("speed", scalar(Kind.NUMBER, "Replay speed: 1 is real time, 0 as fast as possible."))
          .build();

  public static final Obj DEAD_LETTER =
      object("dead letter", "Where the stream job sends malformed and too-late records, with the reason.")
          .optional("topic", scalar(Kind.TOPIC, "A Kafka topic on the source's brokers (it must exist)."))
          .optional("path", scalar(Kind.STRING, "A folder for JSON-lines files (relative to the project; default .strata/dead-letters)."))
          .build();

  public static final Obj STREAM_SOURCE =
      object("stream source", "Where the streaming jobs read the events.")
          .optional("kafka", KAFKA)
          .optional("file", FILE_STREAM)
          .optional("format", oneOf("Payload format.", List.of("json", "avro", "csv", "parquet")))
          .optional("avro_schema", scalar(Kind.STRING, "An Avro schema file (.avsc), for format avro."))
          .optional("allowed_lateness", scalar(Kind.DURATION, "Events this far behind the watermark still update their tile (default 1h)."))
          .optional("max_out_of_orderness", scalar(Kind.DURATION, "Watermark delay (default 10s)."))
          .optional("idle_timeout", scalar(Kind.DURATION, "A partition without events this long stops holding the watermark back (default 1m)."))
          .optional("dead_letter", DEAD_LETTER)
          .build();

  public static final Obj SOURCE =
      object("source", "Append-only facts with an event time.")
          .optional("type", oneOf("The kind of source.", List.of("events")))
          .required("timestamp", scalar(Kind.COLUMN, "The event-time column (UTC)."))
          .required("schema", columns(TYPE, "Columns and their types."))
          .optional("batch", BATCH_SOURCE)
          .optional("stream", STREAM_SOURCE)
          .optional("description", DESCRIPTION)
          .build();

  public static final Obj AGGREGATION =
      object("aggregation", "One aggregation over one or more windows.")
          .required("name", NAME)
          .required("function", oneOf("The aggregation function.", functionNames()))
          .optional("input", scalar(Kind.EXPRESSION, "The aggregated expression over the source's columns (none for count(*))."))
          .optional("args", listOf(scalar(Kind.NUMBER, "An argument."), 0, "Arguments, e.g. [0.5, 0.9] for approx_percentile or [5] for last_k."))
          .required("windows", listOf(scalar(Kind.WINDOW, "A window."), 1, "Windows: 30s, 15m, 1h, 7d or lifetime."))
          .optional("hop", scalar(Kind.DURATION, "The tile size; by default 1m for W <= 1h, 5m for W < 12h, 1h for W < 12d, else 1d."))
          .optional("description", DESCRIPTION)
          .build();

  public static final Obj FEATURE_GROUP =
      object("feature group", "Aggregations of one source, keyed by one entity.")
          .required("entity", NAME)
          .required("source", NAME)
          .required("keys", columns(scalar(Kind.EXPRESSION, "A source expression."), "Each entity key and the source expression it comes from."))
          .optional("filter", scalar(Kind.EXPRESSION, "A boolean expression; only events where it is true count."))
          .required("aggregations", listOf(AGGREGATION, 1, "The aggregations."))
          .optional("online", scalar(Kind.BOOLEAN, "Serve from Redis (default false)."))
          .optional("offline", scalar(Kind.BOOLEAN, "Write Iceberg tables (default true)."))
          .optional("ttl", scalar(Kind.DURATION, "Online values older than this are reported as outside TTL."))
          .optional("freshness", scalar(Kind.DURATION, "How fresh the group's data must be: `strata status` and the staleness"
              + " alerts call the online store stale when it lags now by more (default: the smallest window, clamped to [1h, 1d])."))
          .optional("owner", STRING)
          .optional("tags", new MapOf(STRING, null, "Free-form labels."))
          .optional("description", DESCRIPTION)
          .build();

  public static final Obj DERIVED =
      object("derived feature", "A feature computed from other features of the service.")
          .required("name", NAME)
          .required("expr", scalar(Kind.EXPRESSION, "An expression over group.feature names, earlier derived features and request.<input> names."))
          .optional("description", DESCRIPTION)
          .build();

  public static final Obj FEATURE_SERVICE =
      object("feature service", "The features one model reads, online and offline.")
          .required("features", listOf(scalar(Kind.STRING, "group.* or group.feature_window."), 1, "Features by name."))
          .optional("request", columns(TYPE, "Request inputs and their types: values the caller sends with each entity row"
              + " (online) or spine columns of the same names (training sets); derived features read them as request.<name>."))
          .optional("derived", listOf(DERIVED, 0, "Derived features."))
          .optional("description", DESCRIPTION)
          .build();

  private static final AnyOf SPINE_KEY =
      new AnyOf(
          List.of(
              scalar(Kind.EXPRESSION, "The spine expression of the entity's single key."),
              listOf(scalar(Kind.EXPRESSION, "A spine expression."), 1, "Spine expressions of the entity's keys, in order.")),
          "Where an entity's keys come from in the spine.");

  public static final Obj SPINE =
      object("spine", "The rows of a training set: entity keys, a time, a label.")
          .optional("source", scalar(Kind.NAME, "A source whose events are the spine."))
          .optional("path", scalar(Kind.STRING,
              "A CSV, Parquet or JSON-lines file (by its extension) whose rows are the spine, relative to the project."))
          .required("keys", mapOf(SPINE_KEY, "Entity name to the spine expression(s) of its keys."))
          .optional("timestamp", scalar(Kind.COLUMN, "The spine's time column (by default the source's timestamp; for a file,"
              + " the timestamp column of the service's sources)."))
          .optional("schema", mapOf(TYPE, "A file spine's other columns and their types: those the label or key expressions"
              + " read besides the key columns (typed from the entities) and the time column."))
          .optional("label", scalar(Kind.EXPRESSION, "The label expression."))
          .build();

  public static final Obj TRAINING_SET =
      object("training set", "Point-in-time correct features for every spine row.")
          .required("service", NAME)
          .required("spine", SPINE)
          .optional("description", DESCRIPTION)
          .build();

  public static final Obj PREDICTIONS =
      object("predictions", "The model's predictions: its name in Strata's prediction log, or a table of one's own.")
          .optional("model", scalar(Kind.STRING, "The model's name in <namespace>.prediction_log (written by `strata log ingest`)."))
          .optional("table", scalar(Kind.STRING, "An Iceberg table of predictions (namespace.name) with a `time` column; instead of `model`."))
          .optional("column", scalar(Kind.COLUMN, "The prediction column of `table`."))
          .optional("label", scalar(Kind.COLUMN, "The label column of `table`."))
          .build();

  public static final Obj TIME_RANGE =
      object("time range", "A half-open range of time [from, to).")
          .required("from", scalar(Kind.DATE, "Inclusive start."))
          .required("to", scalar(Kind.DATE, "Exclusive end."))
          .build();

  public static final Obj MONITOR =
      object("monitor", "Drift of a service's features (and predictions) against a reference.")
          .required("service", NAME)
          .optional("predictions", PREDICTIONS)
          .required("reference", TIME_RANGE)
          .optional("every", DURATION)
          .optional("metrics", listOf(oneOf("A drift metric.", Monitor.METRICS), 1, "The metrics (default: all)."))
          .optional("thresholds", new MapOf(scalar(Kind.NUMBER, "A threshold."), null, "Metric name to the value from which a feature drifts."))
          .optional("segments", listOf(scalar(Kind.EXPRESSION, "A segment column."), 1, "Compute drift per value of these columns too."))
          .optional("description", DESCRIPTION)
          .build();

  /** A definitions file: any subset of the sections. */
  public static final Obj FILE =
      object("definitions file", "A Strata definitions file. A project is every .yaml/.yml file of a directory except strata.yaml.")
          .optional("project", scalar(Kind.NAME, "The project's name (default: the directory's name)."))
          .optional("entities", mapOf(ENTITY, "Entities by name."))
          .optional("sources", mapOf(SOURCE, "Event sources by name."))
          .optional("feature_groups", mapOf(FEATURE_GROUP, "Feature groups by name."))
          .optional("feature_services", mapOf(FEATURE_SERVICE, "Feature services by name."))
          .optional("training_sets", mapOf(TRAINING_SET, "Training sets by name."))
          .optional("monitors", mapOf(MONITOR, "Monitors by name."))
          .build();

  public static List<String> functionNames() {
    return Arrays.stream(AggregationFunction.values()).map(AggregationFunction::yamlName).toList();
  }
}
