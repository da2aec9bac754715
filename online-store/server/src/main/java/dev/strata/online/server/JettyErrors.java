package dev.strata.online.server;

import java.nio.charset.StandardCharsets;

/**
 * What Jetty answers itself, before a request reaches a route: a request line it cannot parse, a
 * URI or headers too long, a body too large. Two guarantees, kept here so the routes never see
 * such requests: every such answer is the server's JSON error ({@code {"error": "<sentence>"}}),
 * and a request that cannot be read is always a 4xx, never a 5xx (Jetty's 505 for an unknown HTTP
 * version becomes 400). A 5xx Jetty still answers for a reason of its own is logged with its cause.
 */
final class JettyErrors {
  private JettyErrors() {}

  static String tooLarge() {
    return "Cannot read the request: the body is larger than " + (FeatureServer.MAX_BODY_BYTES >> 20) + " MiB.";
  }

  /** The one sentence for an error status, with Jetty's short reason where it helps. */
  static String sentence(int status, String reason) {
    String why = reason == null || reason.isBlank() ? "" : " (" + HttpErrors.printable(reason) + ")";
    return switch (status) {
      case 400 -> "Cannot read the request: it is not a valid HTTP request" + why + ".";
      case 404 -> "Cannot find the requested path: the server has /get-online-features, /log-predictions, /log-labels,"
          + " /health, /health/live, /health/ready and /metrics.";
      case 405 -> "Cannot answer the request: the method is not allowed for this path.";
      case 413 -> tooLarge();
      case 414 -> "Cannot read the request: the URI is too long.";
      case 431 -> "Cannot read the request: the headers are too large.";
      case 426 -> "Cannot read the request: the HTTP version is not supported on this connection (use HTTP/1.1).";
      case 501 -> "Cannot answer the request: the method is not implemented" + why + ".";
      case 503 -> "Cannot serve the request: the server is unavailable" + why + ".";
      default -> status >= 500 ? "Cannot serve the request: internal error (HTTP " + status + ")."
          : "Cannot answer the request: HTTP " + status + why + ".";
    };
  }

  static byte[] errorJson(String message) {
    return Json.error(message).getBytes(StandardCharsets.UTF_8);
  }

  /** {@code failure} as a 400 when its status is 5xx, unchanged otherwise. */
  static org.eclipse.jetty.http.BadMessageException asClientError(org.eclipse.jetty.http.BadMessageException failure) {
    if (failure.getCode() < 500) {
      return failure;
    }
    String reason = failure.getCode() == 505 ? "unsupported HTTP version, use HTTP/1.1" : failure.getReason();
    return new org.eclipse.jetty.http.BadMessageException(400, reason, failure);
  }

  /**
   * Jetty's error handler, for what it answers itself (a bad request line, a URI or headers too
   * long, a body too large): the same {@code {"error": "<sentence>"}} JSON as every other error.
   */
  static final class JsonErrorHandler extends org.eclipse.jetty.server.handler.ErrorHandler {
    @Override
    public void handle(String target, org.eclipse.jetty.server.Request baseRequest,
        jakarta.servlet.http.HttpServletRequest request, jakarta.servlet.http.HttpServletResponse response)
        throws java.io.IOException {
      int status = response.getStatus();
      Object cause = request.getAttribute(jakarta.servlet.RequestDispatcher.ERROR_EXCEPTION);
      if (status >= 500) {
        HttpErrors.LOG.error("Cannot serve {} {}: HTTP {}", request.getMethod(), request.getRequestURI(), status,
            cause instanceof Throwable t ? t : null);
      }
      Object reason = request.getAttribute(jakarta.servlet.RequestDispatcher.ERROR_MESSAGE);
      byte[] body = errorJson(sentence(status, reason instanceof String r ? r : null));
      baseRequest.setHandled(true);
      response.setContentType("application/json");
      response.setContentLength(body.length);
      response.getOutputStream().write(body);
    }

    @Override
    public java.nio.ByteBuffer badMessageError(int status, String reason, org.eclipse.jetty.http.HttpFields.Mutable fields) {
      fields.put(org.eclipse.jetty.http.HttpHeader.CONTENT_TYPE, "application/json");
      return java.nio.ByteBuffer.wrap(errorJson(sentence(status, reason)));
    }
  }

  /**
   * Jetty's HTTP/1.1 connection factory, except that a request Jetty's parser rejects with a 5xx
   * (505 for an unknown HTTP version such as {@code HTTP/9.9}, 500 for a failed upgrade) is answered
   * 400: a request that cannot be read is the client's error, and the only 5xx the server answers
   * for a reason of its own is 503. Every other bad message keeps Jetty's 4xx (414, 431, ...).
   */
  static final class ClientErrorConnectionFactory extends org.eclipse.jetty.server.HttpConnectionFactory {
    ClientErrorConnectionFactory(org.eclipse.jetty.server.HttpConfiguration config) {
      super(config);
    }

    // Same as HttpConnectionFactory.newConnection, with the connection below.
    @Override
    public org.eclipse.jetty.io.Connection newConnection(org.eclipse.jetty.server.Connector connector,
        org.eclipse.jetty.io.EndPoint endPoint) {
      ClientErrorConnection connection =
          new ClientErrorConnection(getHttpConfiguration(), connector, endPoint, isRecordHttpComplianceViolations());
      connection.setUseInputDirectByteBuffers(isUseInputDirectByteBuffers());
      connection.setUseOutputDirectByteBuffers(isUseOutputDirectByteBuffers());
      return configure(connection, connector, endPoint);
    }
  }

  private static final class ClientErrorConnection extends org.eclipse.jetty.server.HttpConnection {
    ClientErrorConnection(org.eclipse.jetty.server.HttpConfiguration config, org.eclipse.jetty.server.Connector connector,
        org.eclipse.jetty.io.EndPoint endPoint, boolean recordComplianceViolations) {
      super(config, connector, endPoint, recordComplianceViolations);
    }

    // Called from HttpConnection's constructor: it may use only its arguments and inherited state.
    @Override
    protected org.eclipse.jetty.server.HttpChannelOverHttp newHttpChannel() {
      return new ClientErrorChannel(this);
    }
  }

  private static final class ClientErrorChannel extends org.eclipse.jetty.server.HttpChannelOverHttp {
    ClientErrorChannel(org.eclipse.jetty.server.HttpConnection connection) {
      super(connection, connection.getConnector(), connection.getHttpConfiguration(), connection.getEndPoint(), connection);
    }

    // Every bad message, from the parser (badMessage) or the connection, ends here with its status.
    @Override
    public void onBadMessage(org.eclipse.jetty.http.BadMessageException failure) {
      super.onBadMessage(asClientError(failure));
    }
  }
}
