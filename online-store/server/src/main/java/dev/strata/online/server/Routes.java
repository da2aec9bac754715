package dev.strata.online.server;

import io.javalin.Javalin;
import io.javalin.http.HandlerType;
import io.javalin.http.HttpResponseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The server's paths and methods, and what answers everything else.
 *
 * <p>Guarantees: each path of {@link #METHODS} answers its method(s); another method on it is 405
 * with {@code Allow}; an unknown path is 404; a body over {@link FeatureServer#MAX_BODY_BYTES} is
 * 413; every error, whoever raises it (an endpoint, Javalin, the servlet layer), is answered with
 * the JSON of {@link HttpErrors}; failures thrown by endpoints go through {@link
 * HttpErrors#answer}, the one mapping of failures to statuses. Every request is timed into {@code
 * strata_http_requests}, its path tagged only when known.
 */
final class Routes {
  /** Path → the methods it answers. */
  static final Map<String, List<String>> METHODS = new LinkedHashMap<>();

  static {
    METHODS.put("/get-online-features", List.of("POST"));
    METHODS.put("/log-predictions", List.of("POST"));
    METHODS.put("/log-labels", List.of("POST"));
    METHODS.put("/health", List.of("GET"));
    METHODS.put("/health/live", List.of("GET"));
    METHODS.put("/health/ready", List.of("GET"));
    METHODS.put("/metrics", List.of("GET"));
  }

  private Routes() {}

  static void register(Javalin app, FeatureEndpoint features, LogEndpoints logs, OpsEndpoints ops, HttpErrors errors,
      ServerMetrics metrics) {
    app.post("/get-online-features", features::handle);
    app.post("/log-predictions", logs::predictions);
    app.post("/log-labels", logs::labels);
    app.get("/health", ops::health);
    app.get("/health/live", ops::health);
    app.get("/health/ready", ops::ready);
    app.get("/metrics", ops::metrics);
    for (Map.Entry<String, List<String>> route : METHODS.entrySet()) {
      for (HandlerType m : HandlerType.values()) {
        if (m.isHttpMethod() && !route.getValue().contains(m.name())) {
          app.addHttpHandler(m, route.getKey(), ctx -> {
            ctx.header("Allow", String.join(", ", route.getValue()));
            HttpErrors.error(ctx, 405, "Cannot " + ctx.method() + " " + route.getKey() + ": it answers "
                + String.join(", ", route.getValue()) + " only.");
          });
        }
      }
    }
    app.exception(HttpResponseException.class, (e, ctx) -> {
      int status = e.getStatus();
      HttpErrors.error(ctx, status, status == 413 ? JettyErrors.tooLarge() : JettyErrors.sentence(status, e.getMessage()));
    });
    app.exception(Exception.class, (e, ctx) -> errors.answer(ctx, e));
    app.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        HttpErrors.error(ctx, 404, "Cannot find " + ctx.method() + " " + HttpErrors.printable(ctx.path())
            + ": the server has /get-online-features, /log-predictions, /log-labels, /health, /health/live, /health/ready"
            + " and /metrics.");
      }
    });
    for (int status : new int[] {400, 405, 413, 414, 431, 500, 501, 503}) {
      app.error(status, ctx -> {
        String body = ctx.result();
        if (body == null || body.isEmpty() || !body.startsWith("{")) {
          HttpErrors.error(ctx, status, status == 413 ? JettyErrors.tooLarge() : JettyErrors.sentence(status, null));
        }
      });
    }
    app.after(ctx -> metrics.request(METHODS.containsKey(ctx.path()) ? ctx.path() : "other", ctx.statusCode(),
        System.nanoTime() - Objects.requireNonNullElse(ctx.<Long>attribute("start"), System.nanoTime())));
    app.before(ctx -> ctx.attribute("start", System.nanoTime()));
  }
}
