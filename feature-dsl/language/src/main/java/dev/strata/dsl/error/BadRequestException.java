package dev.strata.dsl.error;

/**
 * The caller's request or input is wrong: a missing or mistyped entity key, a feature requested
 * twice, a value over a limit. The message says what to change. HTTP 400.
 *
 * <p>It is an {@link IllegalArgumentException}, so code written to the JDK's convention still
 * catches it; but a boundary maps only this type (and its subclasses) to a 400: a plain
 * {@code IllegalArgumentException} escaping to a boundary is an internal error.
 */
public class BadRequestException extends IllegalArgumentException implements StrataFailure {
  private static final long serialVersionUID = 1L;

  public BadRequestException(String message) {
    super(message);
  }

  public BadRequestException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.BAD_REQUEST;
  }
}
