package dev.strata.cli;

import dev.strata.dsl.error.StrataFailure;

/** A mistake of the user's (a missing file, an unknown name): printed as one sentence, no trace. */
final class UserException extends RuntimeException implements StrataFailure {
  UserException(String message) {
    super(message);
  }

  @Override
  public Kind kind() {
    return Kind.BAD_REQUEST;
  }
}
