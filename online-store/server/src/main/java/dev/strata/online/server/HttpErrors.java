package dev.strata.online.server;

import dev.strata.dsl.error.StrataFailure;
import dev.strata.online.client.LogUnavailableException;
import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place where a failure becomes an HTTP answer. Endpoints throw; this maps.
 *
 * <p>Guarantees:
 *
 * <ul>
 *   <li>The status comes from the failure's type alone ({@link StrataFailure#kind()}): a bad
 *       request is 400, an unknown name 404, a store or serving log that cannot answer 503, a
 *       missing or wrong bearer token 401 (with {@code WWW-Authenticate: Bearer}). Anything else,
 *       a plain {@link IllegalArgumentException} included, is an internal error: 500.
 *   <li>The body is always {@code {"error": "<one sentence>"}} with {@code Content-Type:
 *       application/json}. A 4xx carries the failure's own message; a 503 of the store a fixed
 *       sentence (the store's message may name hosts), a 503 of the serving log its message (it
 *       says what to do); a 500 names only the exception's class.
 *   <li>Every 5xx is logged through SLF4J (logger {@code dev.strata.online.server.FeatureServer})
 *       with the exception, so with its cause: 500 at ERROR, 503 at WARN. A 4xx is not logged.
 * </ul>
 */
final class HttpErrors {
  static final Logger LOG = LoggerFactory.getLogger(FeatureServer.class);

  private final ServerMetrics metrics;

  HttpErrors(ServerMetrics metrics) {
    this.metrics = metrics;
  }

  /** The status a failure is answered with. */
  static int status(Throwable e) {
    if (e instanceof Unauthorized) {
      return 401;
    }
    if (e instanceof StrataFailure f) {
      return switch (f.kind()) {
        case BAD_REQUEST -> 400;
        case UNKNOWN_NAME -> 404;
        case UNAVAILABLE -> 503;
        // The server's own definitions are wrong: not the caller's mistake.
        case DEFINITION -> 500;
      };
    }
    return 500;
  }

  /** Answers {@code e} on {@code ctx}: its status, its JSON body, and its log line when it is a 5xx. */
  void answer(Context ctx, Exception e) {
    int status = status(e);
    String message;
    if (status == 503 && e instanceof LogUnavailableException) {
      LOG.warn("Cannot serve {} {}: the serving log cannot write", ctx.method(), ctx.path(), e);
      message = sentence(e.getMessage());
    } else if (status == 503) {
      metrics.storeError();
      LOG.warn("Cannot serve {} {}: the online store is unavailable", ctx.method(), ctx.path(), e);
      message = "Cannot serve the request: the online store is unavailable.";
    } else if (status >= 500) {
      LOG.error("Cannot serve {} {}: internal error", ctx.method(), ctx.path(), e);
      message = "Cannot serve the request: internal error (" + e.getClass().getSimpleName() + ").";
    } else {
      if (e instanceof Unauthorized) {
        ctx.header("WWW-Authenticate", "Bearer");
      }
      message = sentence(String.valueOf(e.getMessage()));
    }
    error(ctx, status, message);
  }

  /** Writes an error answer as is (for errors the router finds: an unknown path, a wrong method). */
  static void error(Context ctx, int status, String message) {
    ctx.status(status).contentType("application/json").result(Json.error(message));
  }

  /** {@code message} ending with a full stop. */
  static String sentence(String message) {
    return message.endsWith(".") ? message : message + ".";
  }

  /** A text to quote in a message: printable ASCII, at most 100 characters. */
  static String printable(String text) {
    String p = text.replaceAll("[^\\x20-\\x7E]", "?");
    return p.length() > 100 ? p.substring(0, 100) + "…" : p;
  }

  /** A request without the bearer token the server requires: 401. Carries no stack trace (it is no error of the server). */
  static final class Unauthorized extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Unauthorized(String message) {
      super(message, null, false, false);
    }
  }
}
