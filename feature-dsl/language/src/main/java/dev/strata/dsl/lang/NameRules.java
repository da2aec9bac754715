package dev.strata.dsl.lang;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a name may be, and the names Strata derives from it: the one place that knows which
 * names the later stages (Spark and Iceberg tables, Redis keys, Kubernetes resources, training
 * set columns) can take. {@link ShapeChecker} and {@link NameChecker} enforce these rules, and
 * {@link JsonSchemaExporter} publishes them.
 *
 * <p>Guarantees, for a project that validates:
 *
 * <ul>
 *   <li>every definition name matches {@link #NAME_PATTERN} and every column name {@link
 *       #COLUMN_PATTERN}, and none is longer than {@link #MAX_LENGTH} characters, so the longest
 *       derived table name ({@code <group>__tiles}) has 70 characters and a training-set column
 *       ({@code <group>__<feature>}) fewer than 150: far below the 255 bytes of a file name;
 *   <li>a definition name has no {@code __} (reserved for derived names such as {@code
 *       <group>__tiles}) and does not end with {@code _}, so its Kubernetes form ({@link
 *       #kubernetesName}) is a valid DNS label;
 *   <li>names that Spark, Iceberg or a file system would treat as one are unique ignoring case
 *       (see {@link #fold}), and no feature group is named like one of Strata's own tables
 *       ({@link #RESERVED_TABLES}).
 * </ul>
 */
public final class NameRules {
  /**
   * Longest name, in characters (all ASCII): the longest Kubernetes label value and PostgreSQL
   * identifier, and short enough that every derived name fits a 255-byte file name.
   */
  public static final int MAX_LENGTH = 63;

  /** Entities, sources, groups, aggregations, services, derived features, training sets, monitors, the project. */
  public static final String NAME_PATTERN = "^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$";

  /** Columns of sources and entity keys: what SQL and Iceberg accept unquoted. */
  public static final String COLUMN_PATTERN = "^[A-Za-z][A-Za-z0-9_]*$";

  /** Kafka's rule for topic names (its {@code Topic.validate}): at most 249 of these characters. */
  public static final String TOPIC_PATTERN = "^[A-Za-z0-9._-]{1,249}$";

  /** The suffix of a feature group's tile table. */
  public static final String TILES_SUFFIX = "__tiles";

  /**
   * Tables Strata writes in the project's namespace besides the groups' (lower case): the serving
   * log (LogIngestJob), monitoring (MonitorJob, ProfileTable, SkewJob), and {@code training},
   * the namespace of training sets written without one.
   */
  public static final Set<String> RESERVED_TABLES = Set.of(
      "served_features", "prediction_log", "prediction_labels", "log_files",
      "monitoring_drift", "monitoring_performance", "monitoring_profiles", "monitoring_skew",
      "training");

  /**
   * Namespaces the project's tables may not use (lower case): {@code training} holds training
   * sets written without a namespace, and {@code rejects} is the warehouse folder of rejected
   * source rows.
   */
  public static final Set<String> RESERVED_NAMESPACES = Set.of("training", "rejects");

  /** Columns every tile table has besides the entity keys (BackfillJob). */
  public static final Set<String> TILE_TABLE_COLUMNS = Set.of("group_version", "hop", "tile_start", "tile");

  /** Columns every daily snapshot table has besides the entity keys and the features (BackfillJob). */
  public static final Set<String> SNAPSHOT_TABLE_COLUMNS = Set.of("day", "as_of");

  /** The label column of a training set (TrainingSetJob). */
  public static final String LABEL_COLUMN = "label";

  private static final Pattern NAME = Pattern.compile(NAME_PATTERN);
  private static final Pattern COLUMN = Pattern.compile(COLUMN_PATTERN);
  private static final Pattern TOPIC = Pattern.compile(TOPIC_PATTERN);
  private static final Pattern CHARACTERS = Pattern.compile("^[A-Za-z][A-Za-z0-9_]*$");

  private NameRules() {}

  /** True when {@code name} is a valid definition name. */
  public static boolean isName(String name) {
    return nameProblem(name).isEmpty();
  }

  /** True when {@code name} is a valid column name. */
  public static boolean isColumn(String name) {
    return columnProblem(name).isEmpty();
  }

  /** Why {@code name} is not a valid definition name, as a sentence, or empty when it is. */
  public static Optional<String> nameProblem(String name) {
    Optional<String> common = commonProblem(name);
    if (common.isPresent() || NAME.matcher(name).matches()) {
      return common;
    }
    if (name.contains("__")) {
      return Optional.of(quote(name) + " is not a valid name: '__' is reserved for the names Strata derives, such as "
          + "<group>" + TILES_SUFFIX);
    }
    return Optional.of(quote(name) + " is not a valid name: it must not end with '_'");
  }

  /** Why {@code name} is not a valid column name, as a sentence, or empty when it is. */
  public static Optional<String> columnProblem(String name) {
    Optional<String> common = commonProblem(name);
    return common.isPresent() || COLUMN.matcher(name).matches() ? common : Optional.of(quote(name) + " is not a valid name");
  }

  private static Optional<String> commonProblem(String name) {
    if (name.length() > MAX_LENGTH) {
      return Optional.of("name " + quote(name) + " is " + name.length() + " characters long; names have at most "
          + MAX_LENGTH);
    }
    if (!CHARACTERS.matcher(name).matches()) {
      return Optional.of(quote(name) + " is not a valid name: use ASCII letters, digits and _, starting with a letter");
    }
    return Optional.empty();
  }

  /** Why {@code topic} is not a Kafka topic name, or empty when it is. */
  public static Optional<String> topicProblem(String topic) {
    if (TOPIC.matcher(topic).matches() && !topic.equals(".") && !topic.equals("..")) {
      return Optional.empty();
    }
    return Optional.of(quote(topic) + " is not a Kafka topic name: use at most 249 ASCII letters, digits, '.', '_' and '-'");
  }

  /** The form under which Spark, Iceberg and case-insensitive file systems compare names. */
  public static String fold(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /** The Iceberg table (in the project's namespace) of a group's tiles. */
  public static String tilesTable(String group) {
    return group + TILES_SUFFIX;
  }

  /** The Iceberg table (in the project's namespace) of a group's daily snapshots. */
  public static String snapshotTable(String group) {
    return group;
  }

  /** The column of a service feature ({@code group.feature}) in training sets. */
  public static String trainingColumn(String qualifiedFeature) {
    return qualifiedFeature.replace(".", "__");
  }

  /** A definition name as a Kubernetes name (lower case, '-' for '_'): a DNS label for a valid name. */
  public static String kubernetesName(String name) {
    return name.toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** A name for messages: quoted, and cut short when long. */
  static String quote(String name) {
    String shown = name.length() > 40 ? name.substring(0, 30) + "..." : name;
    return "'" + shown + "'";
  }
}
