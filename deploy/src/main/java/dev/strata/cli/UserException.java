package dev.strata.cli;

/** A mistake of the user's (a missing file, an unknown name): printed as one sentence, no trace. */
final class UserException extends RuntimeException {
  UserException(String message) {
    super(message);
  }
}
