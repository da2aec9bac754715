package dev.strata.online.client;

import dev.strata.dsl.error.BadRequestException;

/**
 * One model output for one entity row, as a model logs it through {@link
 * FeatureClient#logPredictions}. {@code label} may be null (it often arrives later, see {@link
 * Label}); {@code entities} is copied and unmodifiable.
 *
 * @throws BadRequestException when the model name or the request id is missing
 */
public record Prediction(String model, String requestId, long timeMicros, java.util.Map<String, Object> entities,
    Object prediction, Object label) {
  public Prediction {
    if (model == null || model.isBlank()) {
      throw new BadRequestException("Cannot log a prediction: the model name is missing");
    }
    if (requestId == null || requestId.isBlank()) {
      throw new BadRequestException("Cannot log a prediction of model '" + model + "': the request id is missing");
    }
    entities = entities == null ? java.util.Map.of()
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(entities));
  }
}
