package dev.strata.online.client;

import dev.strata.online.OnlineFeatures;
import dev.strata.online.OnlineReader;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/** Calls the reader directly: no serialization, no network hop beyond Redis. */
final class InProcessFeatureClient implements FeatureClient {
  private final OnlineReader reader;

  InProcessFeatureClient(OnlineReader reader) {
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  @Override
  public OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows) {
    return reader.getOnlineFeatures(service, entityRows);
  }
}
