package dev.strata.online.server;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The server's one JSON configuration, shared by the request and response codecs and the error
 * bodies. Strict on input: one document per body (content after it is an error), no duplicate
 * keys, nesting at most {@link FeatureServer#MAX_JSON_DEPTH}. Doubles are written shortest
 * round-tripping (Schubfach) and parsed with the fast parser: a 100 × 50 response holds 5,000.
 * Thread-safe (Jackson's mapper is, once configured).
 */
final class Json {
  static final ObjectMapper STRICT = JsonMapper.builder(
          JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(FeatureServer.MAX_JSON_DEPTH).build())
              .build())
      .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();

  private Json() {}

  /** The body of every error answer: {@code {"error": "<message>"}}. */
  static String error(String message) {
    return STRICT.createObjectNode().put("error", message).toString();
  }
}
