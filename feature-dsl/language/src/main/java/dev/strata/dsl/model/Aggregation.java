package dev.strata.dsl.model;

import dev.strata.dsl.agg.AggregationFunction;
import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.lang.LanguageSpec;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.time.Window;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** One aggregation of a feature group over one or more windows. */
public record Aggregation(
    String name,
    String function,
    ExprText input,
    List<Object> args,
    List<WindowSpec> windows,
    Long hopMicros,
    String description,
    SourcePosition pos,
    SourcePosition functionPos,
    SourcePosition hopPos) {

  public Aggregation {
    if (AggregationFunction.fromName(function).isEmpty()) {
      throw new IllegalArgumentException("Cannot create aggregation '" + name + "': unknown function '" + function
          + "'; expected one of " + String.join(", ", LanguageSpec.functionNames()));
    }
    args = List.copyOf(args);
    windows = List.copyOf(windows);
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
    functionPos = functionPos == null ? pos : functionPos;
    hopPos = hopPos == null ? pos : hopPos;
  }

  /** A window as written, with its position. */
  public record WindowSpec(Window window, SourcePosition pos) {
    public WindowSpec {
      pos = pos == null ? SourcePosition.UNKNOWN : pos;
    }
  }

  /** E.g. {@code Aggregation.of("avg_delay", "avg", "delay", "1h", "1d")}; input null for count(*). */
  public static Aggregation of(String name, String function, String input, String... windows) {
    return builder(name, function).input(input).windows(windows).build();
  }

  public static Builder builder(String name, String function) {
    return new Builder(name, function);
  }

  public static final class Builder {
    private final String name;
    private final String function;
    private ExprText input;
    private final List<Object> args = new ArrayList<>();
    private final List<WindowSpec> windows = new ArrayList<>();
    private Long hop;
    private String description;

    private Builder(String name, String function) {
      this.name = name;
      this.function = function;
    }

    public Builder input(String expression) {
      this.input = expression == null ? null : ExprText.of(expression);
      return this;
    }

    public Builder args(Object... values) {
      args.addAll(Arrays.asList(values));
      return this;
    }

    public Builder windows(String... texts) {
      for (String w : texts) {
        windows.add(new WindowSpec(Window.parse(w), null));
      }
      return this;
    }

    public Builder hop(String duration) {
      this.hop = Durations.parseMicros(duration);
      return this;
    }

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public Aggregation build() {
      return new Aggregation(name, function, input, args, windows, hop, description, null, null, null);
    }
  }
}
