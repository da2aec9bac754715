package dev.strata.dsl.error;

/**
 * The request names something that does not exist: a feature service, a feature, a path. The
 * message names it (and the nearest existing names where that helps). HTTP 404.
 */
public class UnknownNameException extends BadRequestException {
  private static final long serialVersionUID = 1L;

  public UnknownNameException(String message) {
    super(message);
  }

  @Override
  public Kind kind() {
    return Kind.UNKNOWN_NAME;
  }
}
