package dev.strata.online.client;

import dev.strata.dsl.error.BadRequestException;

/**
 * The true outcome for a logged {@link Prediction}, joined to it by model and request id.
 *
 * @throws BadRequestException when the model name or the request id is missing
 */
public record Label(String model, String requestId, long timeMicros, Object label) {
  public Label {
    if (model == null || model.isBlank()) {
      throw new BadRequestException("Cannot log a label: the model name is missing");
    }
    if (requestId == null || requestId.isBlank()) {
      throw new BadRequestException("Cannot log a label of model '" + model + "': the request id is missing");
    }
  }
}
