package dev.strata.batch;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.plan.CompiledPlan.CompiledSource;
import dev.strata.dsl.plan.CompiledPlan;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.spark.sql.SparkSession;

/**
 * What every job of one run shares: the session, the project (plan and configuration), the
 * catalog it writes to, the sources read so far (each read and checked once per run).
 */
public final class JobContext {
  private final SparkSession spark;
  private final StrataConfig config;
  private final ProjectSnapshot planRef;
  private final String catalog;
  private final SourceReader reader;
  private final Progress progress;
  private final Map<String, SourceReader.Result> sources = new HashMap<>();
  private final int partitions;
  private Map<String, SourcePin> pins;
  private boolean pinsGiven;

  public JobContext(SparkSession spark, StrataConfig config, ProjectSnapshot planRef, String catalog, Progress progress) {
    this.spark = spark;
    this.config = config;
    this.planRef = planRef;
    this.catalog = catalog;
    this.progress = progress;
    this.reader = new SourceReader(spark, config.projectDir(), config.rejectsLocation(), catalog);
    // Enough partitions that a hot key's task is one of many, few enough for small inputs.
    this.partitions = Math.max(4, Integer.parseInt(spark.conf().get("spark.sql.shuffle.partitions", "8")));
  }

  public SparkSession spark() {
    return spark;
  }

  public StrataConfig config() {
    return config;
  }

  public ProjectSnapshot planRef() {
    return planRef;
  }

  public CompiledPlan plan() {
    return planRef.plan();
  }

  /** The Spark catalog name of the project's Iceberg catalog. */
  public String catalog() {
    return catalog;
  }

  /** {@code <catalog>.<namespace>.<name>} */
  public String table(String name) {
    return catalog + "." + StrataSpark.quote(config.namespace()) + "." + StrataSpark.quote(name);
  }

  public SourceReader reader() {
    return reader;
  }

  public Progress progress() {
    return progress;
  }

  int partitions() {
    return partitions;
  }

  /**
   * From now on every source is read through a pin: the ones given (a rebuild "as of" them, where
   * a source without a pin is an error), or, with none given, captured at its first read. A
   * training set records its pins so that it can be built again identically.
   */
  public JobContext pinSources(Map<String, SourcePin> given) {
    this.pins = new java.util.LinkedHashMap<>(given);
    this.pinsGiven = !given.isEmpty();
    return this;
  }

  /** The pins the sources were read through (empty unless {@link #pinSources} was called). */
  public Map<String, SourcePin> pins() {
    return pins == null ? Map.of() : java.util.Collections.unmodifiableMap(pins);
  }

  /** The source's events (read and schema-checked once per run); says how many were rejected. */
  public SourceReader.Result read(CompiledSource source) {
    return sources.computeIfAbsent(source.name(), n -> {
      SourceReader.Result r;
      if (pins == null) {
        r = reader.read(source);
      } else {
        SourcePin pin = pins.get(n);
        if (pin == null) {
          if (pinsGiven) {
            throw new JobException("Cannot read source '" + n + "' as recorded: the recorded lineage did not read it.");
          }
          pin = reader.capture(source);
          pins.put(n, pin);
        }
        r = reader.read(source, pin);
      }
      progress.say(String.format(Locale.ROOT, "source %s: %,d rows%s", n, r.rows(),
          r.rejected() == 0 ? "" : String.format(Locale.ROOT, ", %,d rejected (reasons in %s)", r.rejected(), r.rejectsPath())));
      return r;
    });
  }
}
