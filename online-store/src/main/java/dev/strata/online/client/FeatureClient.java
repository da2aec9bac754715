package dev.strata.online.client;

import dev.strata.online.OnlineFeatures;
import dev.strata.online.OnlineReader;
import java.net.URI;
import java.util.List;
import java.util.Map;

/**
 * What a model calls to fetch online features: the same call in-process (the reader, no HTTP)
 * or against a feature server.
 */
public interface FeatureClient extends AutoCloseable {
  /**
   * Feature values of {@code service} as of now for each entity row (key name → value).
   *
   * @throws IllegalArgumentException for a bad request (unknown service, missing or mistyped key)
   * @throws dev.strata.online.OnlineStoreException when the store or server is unavailable
   */
  OnlineFeatures getOnlineFeatures(String service, List<Map<String, Object>> entityRows);

  @Override
  default void close() {}

  static FeatureClient inProcess(OnlineReader reader) {
    return new InProcessFeatureClient(reader);
  }

  /** A client of the feature server at {@code baseUrl} (e.g. http://127.0.0.1:6566); token may be null. */
  static FeatureClient http(URI baseUrl, String bearerToken) {
    return new HttpFeatureClient(baseUrl, bearerToken);
  }
}
