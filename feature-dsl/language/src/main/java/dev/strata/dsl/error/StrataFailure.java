package dev.strata.dsl.error;

/**
 * A failure that says what kind it is, so that every boundary reports it the same way: the
 * feature server maps a kind to one HTTP status, the CLI to one sentence and an exit code. The
 * message of such a failure is meant for the user: one sentence, "Cannot &lt;do what&gt;: &lt;why&gt;".
 *
 * <p>Guarantees: {@link #kind()} is fixed for an exception's class (a subclass may narrow it, as
 * {@link UnknownNameException} narrows {@link BadRequestException}); it never depends on the
 * message. Exceptions that do not implement this interface are internal errors (a bug, or a
 * library failing in a way Strata did not foresee): a boundary reports them as such (HTTP 500)
 * and logs them with their cause.
 */
public interface StrataFailure {
  /** What kind of failure this is. */
  Kind kind();

  /** The kinds a boundary tells apart. */
  enum Kind {
    /** The request or input is wrong (a missing or mistyped key, a limit exceeded): HTTP 400. */
    BAD_REQUEST,
    /** The request names something that does not exist (a service, a feature): HTTP 404. */
    UNKNOWN_NAME,
    /** A store the request needs cannot answer now (Redis, the serving log): HTTP 503; retrying may succeed. */
    UNAVAILABLE,
    /** The definitions have mistakes: a server cannot start on them, a CLI lists the diagnostics. */
    DEFINITION
  }
}
