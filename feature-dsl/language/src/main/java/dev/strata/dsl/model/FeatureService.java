package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import java.util.ArrayList;
import java.util.List;

/** The features one model reads: references to group features, plus derived features. */
public record FeatureService(
    String name, List<FeatureRef> features, List<Derived> derived, String description, SourcePosition pos) {

  public FeatureService {
    features = List.copyOf(features);
    derived = List.copyOf(derived);
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
  }

  /** {@code group.*} or {@code group.feature_window}, as written. */
  public record FeatureRef(String text, SourcePosition pos) {
    public FeatureRef {
      pos = pos == null ? SourcePosition.UNKNOWN : pos;
    }
  }

  /** A feature computed from other features of the service. */
  public record Derived(String name, ExprText expr, String description, SourcePosition pos) {
    public Derived {
      pos = pos == null ? SourcePosition.UNKNOWN : pos;
    }
  }

  public static Builder builder(String name) {
    return new Builder(name);
  }

  public static final class Builder {
    private final String name;
    private final List<FeatureRef> features = new ArrayList<>();
    private final List<Derived> derived = new ArrayList<>();
    private String description;

    private Builder(String name) {
      this.name = name;
    }

    public Builder features(String... refs) {
      for (String r : refs) {
        features.add(new FeatureRef(r, null));
      }
      return this;
    }

    public Builder derived(String featureName, String expression) {
      derived.add(new Derived(featureName, ExprText.of(expression), null, null));
      return this;
    }

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public FeatureService build() {
      return new FeatureService(name, features, derived, description, null);
    }
  }
}
