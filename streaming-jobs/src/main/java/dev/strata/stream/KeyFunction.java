package dev.strata.stream;

import dev.strata.dsl.lang.ProjectSnapshot;
import dev.strata.dsl.tile.GroupTiler;
import dev.strata.dsl.time.Durations;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Parsed records → one {@link KeyedEvent} per online group the row belongs to, keyed by the
 * group's name and version and the entity key of {@link GroupTiler#keyOf} (filter and NULL keys
 * decided there, as everywhere): see {@link TileStateKey}. Malformed records
 * (metric {@code malformedRecords}) and events more than the allowed lateness behind the
 * watermark (metric {@code lateEvents}) go to the dead letters with the reason, once per record.
 * Nothing malformed stops the job.
 *
 * <p>The tiling operator downstream never sees a watermark ahead of the one this operator saw
 * for the same event, so every event accepted here still finds its tile in state there.
 */
final class KeyFunction extends ProcessFunction<Parsed, KeyedEvent> {
  private static final long serialVersionUID = 1L;

  private final ProjectSnapshot project;
  private final String source;
  private final List<String> groups;
  private final long allowedLatenessMicros;
  private final OutputTag<DeadLetter> deadLetters;
  private transient GroupTiler[] tilers;
  private transient String[] stateKeyGroups; // TileStateKey.group of each tiler's group version
  private transient Counter malformed;
  private transient Counter late;

  KeyFunction(ProjectSnapshot project, String source, List<String> groups, long allowedLatenessMicros,
      OutputTag<DeadLetter> deadLetters) {
    this.project = project;
    this.source = source;
    this.groups = List.copyOf(groups);
    this.allowedLatenessMicros = allowedLatenessMicros;
    this.deadLetters = deadLetters;
  }

  @Override
  public void open(OpenContext context) {
    tilers = TileFunction.tilers(project, groups);
    stateKeyGroups = new String[tilers.length];
    for (int g = 0; g < tilers.length; g++) {
      stateKeyGroups[g] = TileStateKey.group(tilers[g].group().name(), tilers[g].group().version());
    }
    malformed = getRuntimeContext().getMetricGroup().counter("malformedRecords");
    late = getRuntimeContext().getMetricGroup().counter("lateEvents");
  }

  @Override
  public void processElement(Parsed parsed, Context ctx, Collector<KeyedEvent> out) {
    if (!parsed.isOk()) {
      malformed.inc();
      ctx.output(deadLetters, DeadLetter.of(source, parsed.error(), parsed));
      return;
    }
    long watermark = ctx.timerService().currentWatermark();
    if (TileFunction.isLate(parsed.micros(), allowedLatenessMicros, watermark)) {
      late.inc();
      ctx.output(deadLetters, DeadLetter.of(source, "late event: " + Durations.formatInstant(parsed.micros())
          + " is more than the allowed lateness (" + Durations.format(allowedLatenessMicros) + ") behind the watermark "
          + Durations.formatInstant(watermark * 1000L), parsed));
      return;
    }
    Object[] row = parsed.row();
    for (int g = 0; g < tilers.length; g++) {
      List<Object> key;
      try {
        key = tilers[g].keyOf(row);
      } catch (RuntimeException e) {
        // A value the group's filter or key expression cannot take (e.g. a failing CAST): this
        // group skips the record, the others still use it.
        malformed.inc();
        ctx.output(deadLetters, DeadLetter.of(source, "cannot evaluate the keys or filter of group '" + groups.get(g) + "': "
            + e.getMessage(), parsed));
        continue;
      }
      if (key != null) {
        Object[] k = key.toArray();
        out.collect(new KeyedEvent(TileStateKey.of(stateKeyGroups[g], k), k, parsed.micros(), row));
      }
    }
  }
}
