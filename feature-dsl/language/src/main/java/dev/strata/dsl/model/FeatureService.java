package dev.strata.dsl.model;

import dev.strata.dsl.diag.SourcePosition;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import java.util.ArrayList;
import java.util.List;

/**
 * The features one model reads: references to group features, derived features, and the typed
 * request inputs derived features may read as {@code request.<name>} (values the caller sends with
 * each entity row online, and that a training set takes from spine columns of the same names).
 */
public record FeatureService(
    String name, List<FeatureRef> features, List<Derived> derived, List<Field> request, String description,
    SourcePosition pos) {

  public FeatureService {
    features = List.copyOf(features);
    derived = List.copyOf(derived);
    request = List.copyOf(request);
    pos = pos == null ? SourcePosition.UNKNOWN : pos;
  }

  /** A service without request inputs. */
  public FeatureService(String name, List<FeatureRef> features, List<Derived> derived, String description, SourcePosition pos) {
    this(name, features, derived, List.of(), description, pos);
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
    private final List<Field> request = new ArrayList<>();
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

    /** A request input, read by derived features as {@code request.<inputName>}. */
    public Builder request(String inputName, DataType type) {
      request.add(new Field(inputName, type));
      return this;
    }

    public Builder description(String text) {
      this.description = text;
      return this;
    }

    public FeatureService build() {
      return new FeatureService(name, features, derived, request, description, null);
    }
  }
}
