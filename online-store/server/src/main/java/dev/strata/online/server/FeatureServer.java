package dev.strata.online.server;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.strata.config.StrataConfig;
import dev.strata.dsl.io.TypedValues;
import dev.strata.dsl.io.ValueFormatException;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.time.Durations;
import dev.strata.dsl.types.DataType;
import dev.strata.dsl.types.Field;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStore;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.OnlineStoreException;
import dev.strata.online.client.FeatureStatus;
import dev.strata.online.client.Label;
import dev.strata.online.client.LogUnavailableException;
import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.client.Prediction;
import dev.strata.online.log.ServingLog;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The HTTP feature server: {@code POST /get-online-features} with Feast's request and response
 * shapes, {@code GET /health} and {@code GET /metrics} (Prometheus text).
 *
 * <p>Request: {@code {"feature_service": "s", "entities": {"airport": ["ORD", "SFO"]}}} (or
 * {@code "features": ["group.feature", …]} instead of a service). Response: {@code
 * {"metadata": {"feature_names": [keys…, features…]}, "results": [{"values": […], "statuses":
 * […], "event_timestamps": […]}, …]}}, one result per column (entity keys first, as Feast does).
 * Statuses are Feast's: PRESENT, NOT_FOUND, OUTSIDE_MAX_AGE (Strata's OUTSIDE_TTL).
 *
 * <p>A bad request gets 400 (404 for an unknown service or feature) and {@code {"error": "<one
 * sentence>"}}; Redis failing gets 503; a wrong or missing bearer token, when one is set, 401.
 * Every error, whoever produces it (Strata, Javalin, Jetty: a bad request line, a body over 8 MiB,
 * a URI or headers too long, an unknown path, a wrong method), is that JSON object with its status.
 * Parsing is strict: trailing content, duplicate keys and nesting deeper than 32 are 400s; names
 * are at most 256 characters and entity values, predictions and labels at most 1 KiB.
 *
 * <p>{@code GET /health} and {@code /health/live} answer 200 while the process serves;
 * {@code /health/ready} answers 200 only when the store answers a ping and the serving log (if
 * any) can write, else 503 with the reason. With a token, {@code /metrics} requires it too.
 *
 * <p>With a {@link ServingLog}, every response carries an {@code X-Request-Id} (the client's, if
 * it sent a plausible one), sampled served vectors are logged under it, and {@code POST
 * /log-predictions} and {@code POST /log-labels} record what the model made of them:
 * {@code {"model": "m", "request_ids": [...], "entities": {"origin": [...]}, "predictions": [...],
 * "labels": [...]?, "time": "2026-01-01T00:00:00Z"?}} and {@code {"model": "m", "request_ids":
 * [...], "labels": [...]}} (columns of equal length), answered 202 {@code {"logged": n}} only
 * once the records are written (see {@link ServingLog}); 503 when the log cannot write them (its
 * queue is full, a write failed, its writer stopped, or it took more than 10 s). A {@code time}
 * outside {@code [now - logMaxAge, now + logMaxAhead]} (default 7 days back, 1 day ahead) is a 400:
 * each day is a partition file, and a client must not make the server hold open one per day it names.
 */
public final class FeatureServer implements AutoCloseable {
  static final String EPOCH = "1970-01-01T00:00:00Z";
  /** Request body limit (413 beyond). */
  public static final long MAX_BODY_BYTES = 8L << 20;
  /** Service, feature, entity key and model names: at most this many characters (400 beyond). */
  public static final int MAX_NAME_CHARS = 256;
  /** Entity values, predictions and labels: at most this many UTF-8 bytes (400 beyond). */
  public static final int MAX_VALUE_BYTES = 1024;
  /** JSON nesting limit (400 beyond). */
  public static final int MAX_JSON_DEPTH = 32;
  /** How long a logging request waits for its records to be written before answering 503. */
  static final Duration LOG_WRITE_TIMEOUT = Duration.ofSeconds(10);
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(FeatureServer.class);
  private static final Map<String, List<String>> ROUTES = new LinkedHashMap<>();

  static {
    ROUTES.put("/get-online-features", List.of("POST"));
    ROUTES.put("/log-predictions", List.of("POST"));
    ROUTES.put("/log-labels", List.of("POST"));
    ROUTES.put("/health", List.of("GET"));
    ROUTES.put("/health/live", List.of("GET"));
    ROUTES.put("/health/ready", List.of("GET"));
    ROUTES.put("/metrics", List.of("GET"));
  }
  // Pre-quoted strings skip the generator's per-character escaping: 10,000 of them a 100 × 50 response.
  private static final SerializedString EPOCH_JSON = new SerializedString(EPOCH);
  private static final Map<FeatureStatus, SerializedString> STATUS_JSON = new java.util.EnumMap<>(FeatureStatus.class);

  static {
    for (FeatureStatus s : FeatureStatus.values()) {
      STATUS_JSON.put(s, new SerializedString(feastStatus(s)));
    }
  }

  private final OnlineReader reader;
  private final OnlineStore ownedStore;
  private final String host;
  private final int maxEntities;
  private final byte[] token;
  private final ServingLog log;
  private final java.time.Clock clock;
  private final Duration logMaxAge;
  private final Duration logMaxAhead;
  // Shortest round-tripping doubles (Schubfach) and a faster double parser: 5,000 doubles a 100 × 50 response.
  // Strict: one document per body, no duplicate keys, bounded depth.
  private final ObjectMapper json = com.fasterxml.jackson.databind.json.JsonMapper.builder(
          com.fasterxml.jackson.core.JsonFactory.builder()
              .streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints.builder()
                  .maxNestingDepth(MAX_JSON_DEPTH).build())
              .build())
      .enable(com.fasterxml.jackson.core.StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.USE_FAST_DOUBLE_PARSER)
      .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(com.fasterxml.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .build();
  private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Counter redisErrors;
  private final DistributionSummary entityRows;
  private Javalin app;

  private FeatureServer(Builder b) {
    this.reader = b.reader;
    this.ownedStore = b.ownedStore;
    this.host = b.host;
    this.maxEntities = b.maxEntities;
    this.token = b.token == null ? null : b.token.getBytes(StandardCharsets.UTF_8);
    this.log = b.log;
    this.clock = b.clock;
    this.logMaxAge = b.logMaxAge;
    this.logMaxAhead = b.logMaxAhead;
    if (log != null) {
      FunctionCounter.builder("strata_serving_log_written", log, ServingLog::written)
          .description("Lines written to the serving log").register(metrics);
      FunctionCounter.builder("strata_serving_log_dropped", log, ServingLog::dropped)
          .description("Served entity rows not logged because the log's queue was full").register(metrics);
    }
    this.redisErrors = Counter.builder("strata_redis_errors").description("Redis failures while serving").register(metrics);
    this.entityRows = DistributionSummary.builder("strata_request_entity_rows").description("Entity rows per request")
        .register(metrics);
  }

  public static Builder builder(OnlineReader reader) {
    return new Builder(reader);
  }

  /**
   * What {@code strata serve} calls: connects to the Redis of {@code config} and serves the online
   * services of {@code plan} on {@code port} (0 picks a free one) on all interfaces. Environment:
   * {@code STRATA_SERVER_TOKEN} (bearer token to require), {@code STRATA_SERVER_MAX_ENTITIES}
   * (rows per request, default 1000). {@code servingLog} may be null (no logging); the server
   * closes it when it stops.
   */
  public static FeatureServer start(CompiledPlan plan, StrataConfig config, int port, ServingLog servingLog) {
    return start(plan, config, port, servingLog, Duration.ofDays(7), Duration.ofDays(1));
  }

  /** Like {@link #start(CompiledPlan, StrataConfig, int, ServingLog)} with the log's time window (see {@link Builder#logTimeWindow}). */
  public static FeatureServer start(CompiledPlan plan, StrataConfig config, int port, ServingLog servingLog,
      Duration logMaxAge, Duration logMaxAhead) {
    OnlineStoreConfig store = OnlineStoreConfig.fromStrataConfig(config);
    checkWindow(logMaxAge, logMaxAhead); // before connecting: a bad flag is the user's error, not the store's
    OnlineStore online = OnlineStore.open(plan, store);
    Builder b = builder(online.reader().build()).host("0.0.0.0").ownStore(online).servingLog(servingLog)
        .logTimeWindow(logMaxAge, logMaxAhead);
    String tokenEnv = System.getenv("STRATA_SERVER_TOKEN");
    if (tokenEnv != null && !tokenEnv.isBlank()) {
      b.bearerToken(tokenEnv);
    }
    String max = System.getenv("STRATA_SERVER_MAX_ENTITIES");
    if (max != null && !max.isBlank()) {
      b.maxEntities(Integer.parseInt(max.trim()));
    }
    return b.build().start(port);
  }

  /** {@link #start(CompiledPlan, StrataConfig, int, ServingLog)} without a serving log. */
  public static FeatureServer start(CompiledPlan plan, StrataConfig config, int port) {
    return start(plan, config, port, null);
  }

  /** Starts listening; returns this. */
  public FeatureServer start(int port) {
    app = Javalin.create(cfg -> {
      cfg.showJavalinBanner = false;
      cfg.startupWatcherEnabled = false;
      cfg.http.maxRequestSize = MAX_BODY_BYTES;
      // Errors Jetty answers before Javalin sees the request (bad request line, 414, 431) are JSON too.
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new JsonErrorHandler()));
      cfg.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JsonErrorHandler()));
      // Javalin adds no default connector when one is configured: this one is the only listener.
      cfg.jetty.addConnector((server, httpConfig) -> {
        org.eclipse.jetty.server.ServerConnector connector =
            new org.eclipse.jetty.server.ServerConnector(server, new ClientErrorConnectionFactory(httpConfig));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
      });
    });
    app.post("/get-online-features", this::getOnlineFeatures);
    app.post("/log-predictions", this::logPredictions);
    app.post("/log-labels", this::logLabels);
    app.get("/health", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
    app.get("/health/live", ctx -> ctx.contentType("application/json").result("{\"status\":\"ok\"}"));
    app.get("/health/ready", this::ready);
    app.get("/metrics", ctx -> {
      if (unauthorized(ctx, "read the metrics")) {
        return;
      }
      ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape());
    });
    for (Map.Entry<String, List<String>> route : ROUTES.entrySet()) {
      for (io.javalin.http.HandlerType m : io.javalin.http.HandlerType.values()) {
        if (m.isHttpMethod() && !route.getValue().contains(m.name())) {
          app.addHttpHandler(m, route.getKey(), ctx -> {
            ctx.header("Allow", String.join(", ", route.getValue()));
            error(ctx, 405, "Cannot " + ctx.method() + " " + route.getKey() + ": it answers "
                + String.join(", ", route.getValue()) + " only.");
          });
        }
      }
    }
    app.exception(io.javalin.http.HttpResponseException.class, (e, ctx) -> {
      int status = e.getStatus();
      error(ctx, status, status == 413 ? tooLarge() : JsonErrorHandler.sentence(status, e.getMessage()));
    });
    app.exception(Exception.class, (e, ctx) -> {
      LOG.error("Cannot serve {} {}: internal error", ctx.method(), ctx.path(), e);
      error(ctx, 500, "Cannot serve the request: internal error (" + e.getClass().getSimpleName() + ").");
    });
    app.error(404, ctx -> {
      if (ctx.result() == null || ctx.result().isEmpty()) {
        error(ctx, 404, "Cannot find " + ctx.method() + " " + printable(ctx.path())
            + ": the server has /get-online-features, /log-predictions, /log-labels, /health, /health/live, /health/ready"
            + " and /metrics.");
      }
    });
    for (int status : new int[] {400, 405, 413, 414, 431, 500, 501, 503}) {
      app.error(status, ctx -> {
        String body = ctx.result();
        if (body == null || body.isEmpty() || !body.startsWith("{")) {
          error(ctx, status, status == 413 ? tooLarge() : JsonErrorHandler.sentence(status, null));
        }
      });
    }
    app.after(ctx -> Timer.builder("strata_http_requests")
        .description("HTTP requests by path and status")
        .tag("path", knownPath(ctx.path()))
        .tag("status", Integer.toString(ctx.statusCode()))
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(0).plusNanos(100_000))
        .maximumExpectedValue(Duration.ofSeconds(5))
        .register(metrics)
        .record(System.nanoTime() - Objects.requireNonNullElse(ctx.attribute("start"), System.nanoTime()),
            java.util.concurrent.TimeUnit.NANOSECONDS));
    app.before(ctx -> ctx.attribute("start", System.nanoTime()));
    app.start(host, port);
    return this;
  }

  private static String knownPath(String path) {
    return ROUTES.containsKey(path) ? path : "other";
  }

  private static String tooLarge() {
    return "Cannot read the request: the body is larger than " + (MAX_BODY_BYTES >> 20) + " MiB.";
  }

  /** A path to quote in a message: printable ASCII, at most 100 characters. */
  private static String printable(String path) {
    String p = path.replaceAll("[^\\x20-\\x7E]", "?");
    return p.length() > 100 ? p.substring(0, 100) + "…" : p;
  }

  /** 200 when the store answers and the serving log can write; 503 with the reason otherwise. */
  private void ready(Context ctx) {
    try {
      reader.ping();
    } catch (RuntimeException e) {
      redisErrors.increment();
      LOG.warn("Not ready: the online store does not answer", e);
      error(ctx, 503, "Cannot serve: the online store is unavailable (" + printable(String.valueOf(e.getMessage())) + ").");
      return;
    }
    String logProblem = log == null ? null : log.unavailableReason();
    if (logProblem != null) {
      error(ctx, 503, "Cannot serve: the serving log cannot write (" + logProblem + ").");
      return;
    }
    ctx.contentType("application/json").result("{\"status\":\"ready\"}");
  }

  public int port() {
    return app.port();
  }

  public PrometheusMeterRegistry metrics() {
    return metrics;
  }

  @Override
  public void close() {
    if (app != null) {
      app.stop();
    }
    if (ownedStore != null) {
      ownedStore.close();
    }
    if (log != null) {
      log.close();
    }
  }

  private void getOnlineFeatures(Context ctx) {
    JsonNode body = authorizedBody(ctx);
    if (body == null) {
      return;
    }
    String requestId = null;
    if (log != null) {
      String given = ctx.header("X-Request-Id");
      requestId = given != null && REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
      ctx.header("X-Request-Id", requestId);
    }
    if (!body.isObject()) {
      error(ctx, 400, "Cannot parse the request: expected a JSON object with feature_service and entities.");
      return;
    }
    JsonNode service = body.get("feature_service");
    JsonNode features = body.get("features");
    if ((service == null || !service.isTextual()) && (features == null || !features.isArray())) {
      error(ctx, 400, "Cannot serve the request: give \"feature_service\" (a name) or \"features\" (a list of group.feature).");
      return;
    }
    JsonNode entities = body.get("entities");
    if (entities == null || !entities.isObject() || entities.isEmpty()) {
      error(ctx, 400, "Cannot serve the request: \"entities\" must be an object of key name to a list of values.");
      return;
    }
    if (service != null && service.isTextual() && tooLong(ctx, "the feature service name", service.asText())) {
      return;
    }
    Map<String, List<Object>> columns = new LinkedHashMap<>();
    int rows = -1;
    for (Iterator<Map.Entry<String, JsonNode>> it = entities.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      if (tooLong(ctx, "an entity key name", e.getKey())) {
        return;
      }
      if (!e.getValue().isArray()) {
        error(ctx, 400, "Cannot serve the request: entities." + e.getKey() + " must be a list of values.");
        return;
      }
      if (rows >= 0 && e.getValue().size() != rows) {
        error(ctx, 400, "Cannot serve the request: entity columns have different lengths (" + rows + " and "
            + e.getValue().size() + " for " + e.getKey() + ").");
        return;
      }
      rows = e.getValue().size();
      List<Object> values = new ArrayList<>(rows);
      for (JsonNode v : e.getValue()) {
        if (v.isContainerNode()) {
          error(ctx, 400, "Cannot serve the request: entities." + e.getKey() + "[" + values.size()
              + "] must be a string, number or boolean, not " + (v.isArray() ? "a list." : "an object."));
          return;
        }
        if (valueTooLong(ctx, "entities." + e.getKey() + "[" + values.size() + "]", v)) {
          return;
        }
        values.add(scalar(v));
      }
      columns.put(e.getKey(), values);
    }
    if (rows > maxEntities) {
      error(ctx, 400, "Cannot serve " + rows + " entity rows: the limit is " + maxEntities + " per request.");
      return;
    }
    List<Map<String, Object>> entityRowList = new ArrayList<>(rows);
    for (int r = 0; r < rows; r++) {
      Map<String, Object> row = new LinkedHashMap<>();
      for (Map.Entry<String, List<Object>> c : columns.entrySet()) {
        row.put(c.getKey(), c.getValue().get(r));
      }
      entityRowList.add(row);
    }
    entityRows.record(rows);
    long servedAt = Durations.toMicros(clock.instant());
    OnlineFeatures result;
    try {
      if (service != null && service.isTextual()) {
        result = reader.getOnlineFeatures(service.asText(), entityRowList);
      } else {
        List<String> refs = new ArrayList<>();
        for (JsonNode f : features) {
          if (!f.isTextual()) {
            error(ctx, 400, "Cannot serve the request: \"features\" must be a list of strings.");
            return;
          }
          if (tooLong(ctx, "a feature name", f.asText())) {
            return;
          }
          refs.add(f.asText());
        }
        result = reader.getOnlineFeaturesByName(refs, entityRowList);
      }
    } catch (OnlineReader.UnknownServiceException | OnlineReader.UnknownFeatureException e) {
      error(ctx, 404, sentence(e.getMessage()));
      return;
    } catch (IllegalArgumentException e) {
      error(ctx, 400, sentence(e.getMessage()));
      return;
    } catch (OnlineStoreException | JedisException e) {
      redisErrors.increment();
      LOG.warn("Cannot serve a request: the online store is unavailable", e);
      error(ctx, 503, "Cannot serve the request: the online store is unavailable.");
      return;
    }
    if (log != null) {
      log.features(service != null && service.isTextual() ? service.asText() : "(features)", requestId, servedAt,
          entityRowList, result.withRequestId(requestId));
    }
    ctx.contentType("application/json").result(response(columns, result));
  }

  private static final java.util.regex.Pattern REQUEST_ID = java.util.regex.Pattern.compile("[A-Za-z0-9._:-]{1,128}");

  /** Whether a name is over the limit, after answering 400 (without echoing it). */
  private boolean tooLong(Context ctx, String what, String name) {
    if (name.length() > MAX_NAME_CHARS) {
      error(ctx, 400, "Cannot serve the request: " + what + " is " + name.length() + " characters long; the limit is "
          + MAX_NAME_CHARS + ".");
      return true;
    }
    return false;
  }

  /** Whether a scalar is over the value limit, after answering 400 (without echoing it). */
  private boolean valueTooLong(Context ctx, String where, JsonNode v) {
    if (v.isTextual() && v.asText().length() > MAX_VALUE_BYTES / 3
        && v.asText().getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES) {
      error(ctx, 400, "Cannot serve the request: " + where + " is longer than " + MAX_VALUE_BYTES + " bytes.");
      return true;
    }
    if (v.isBigInteger() || v.isBigDecimal()) {
      if (v.asText().length() > MAX_VALUE_BYTES) {
        error(ctx, 400, "Cannot serve the request: " + where + " is longer than " + MAX_VALUE_BYTES + " bytes.");
        return true;
      }
    }
    return false;
  }

  /** Whether the request lacks the token (when one is set), after answering 401. */
  private boolean unauthorized(Context ctx, String what) {
    if (token != null && !authorized(ctx.header("Authorization"))) {
      ctx.header("WWW-Authenticate", "Bearer");
      error(ctx, 401, "Cannot " + what + ": a valid bearer token is required.");
      return true;
    }
    return false;
  }

  /** The JSON body of an authorized request, or null after answering 401/400/413. */
  private JsonNode authorizedBody(Context ctx) {
    if (unauthorized(ctx, "serve the request")) {
      return null;
    }
    JsonNode body;
    try {
      body = json.readTree(ctx.bodyAsBytes());
    } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
      error(ctx, 400, "Cannot parse the request: the JSON is nested deeper than " + MAX_JSON_DEPTH
          + " levels or has a value too long.");
      return null;
    } catch (JsonProcessingException e) {
      String m = String.valueOf(e.getOriginalMessage());
      if (m.startsWith("Duplicate field")) {
        error(ctx, 400, "Cannot parse the request: the JSON has a duplicate key (" + printable(m) + ").");
      } else if (m.contains("Trailing token")) {
        error(ctx, 400, "Cannot parse the request: malformed JSON (content after the end of the JSON value).");
      } else {
        error(ctx, 400, "Cannot parse the request: malformed JSON (" + printable(m) + ").");
      }
      return null;
    } catch (java.io.IOException e) {
      error(ctx, 400, "Cannot read the request body.");
      return null;
    }
    if (body == null || body.isMissingNode()) {
      error(ctx, 400, "Cannot parse the request: the body is empty.");
      return null;
    }
    return body;
  }

  private void logPredictions(Context ctx) {
    JsonNode body = loggingBody(ctx);
    if (body == null) {
      return;
    }
    String model = body.path("model").asText("");
    List<String> ids = column(ctx, body, "request_ids", true);
    List<Object> predictions = ids == null ? null : scalars(ctx, body, "predictions", ids.size(), true);
    List<Object> labels = predictions == null ? null : scalars(ctx, body, "labels", ids.size(), false);
    if (labels == null) {
      return;
    }
    JsonNode entities = body.path("entities");
    if (!entities.isMissingNode() && !entities.isObject()) {
      error(ctx, 400, "Cannot log predictions: \"entities\" must be an object of key name to a list of values.");
      return;
    }
    Map<String, List<Object>> keyColumns = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = entities.properties().iterator(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      List<Object> values = scalars(ctx, entities, e.getKey(), ids.size(), true);
      if (values == null) {
        return;
      }
      keyColumns.put(e.getKey(), values);
    }
    long time = timeOf(ctx, body);
    if (time == Long.MIN_VALUE) {
      return;
    }
    List<Prediction> records = new ArrayList<>(ids.size());
    try {
      for (int i = 0; i < ids.size(); i++) {
        Map<String, Object> keys = new LinkedHashMap<>();
        for (Map.Entry<String, List<Object>> c : keyColumns.entrySet()) {
          keys.put(c.getKey(), c.getValue().get(i));
        }
        records.add(new Prediction(model, ids.get(i), time, keys, predictions.get(i), labels.get(i)));
      }
    } catch (IllegalArgumentException e) {
      error(ctx, 400, sentence(e.getMessage()));
      return;
    }
    acknowledge(ctx, records.size(), () -> log.predictions(records));
  }

  private void logLabels(Context ctx) {
    JsonNode body = loggingBody(ctx);
    if (body == null) {
      return;
    }
    String model = body.path("model").asText("");
    List<String> ids = column(ctx, body, "request_ids", true);
    List<Object> labels = ids == null ? null : scalars(ctx, body, "labels", ids.size(), true);
    if (labels == null) {
      return;
    }
    long time = timeOf(ctx, body);
    if (time == Long.MIN_VALUE) {
      return;
    }
    List<Label> records = new ArrayList<>(ids.size());
    try {
      for (int i = 0; i < ids.size(); i++) {
        records.add(new Label(model, ids.get(i), time, labels.get(i)));
      }
    } catch (IllegalArgumentException e) {
      error(ctx, 400, sentence(e.getMessage()));
      return;
    }
    acknowledge(ctx, records.size(), () -> log.labels(records));
  }

  /** Answers 202 only once the log has written the records; 503 with the reason when it cannot. */
  private void acknowledge(Context ctx, int n, java.util.function.Supplier<java.util.concurrent.CompletableFuture<Void>> write) {
    try {
      write.get().get(LOG_WRITE_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (LogUnavailableException e) {
      LOG.warn("Cannot log {} records: {}", n, e.getMessage());
      error(ctx, 503, sentence(e.getMessage()));
      return;
    } catch (java.util.concurrent.ExecutionException e) {
      LOG.warn("Cannot log {} records", n, e.getCause());
      error(ctx, 503, e.getCause() instanceof LogUnavailableException u ? sentence(u.getMessage())
          : "Cannot log: the serving log failed to write (" + e.getCause().getClass().getSimpleName() + ").");
      return;
    } catch (java.util.concurrent.TimeoutException e) {
      LOG.warn("Cannot log {} records: not written within {}", n, LOG_WRITE_TIMEOUT);
      error(ctx, 503, "Cannot log: the serving log did not write the records within " + LOG_WRITE_TIMEOUT.toSeconds()
          + " s; retry later.");
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      error(ctx, 503, "Cannot log: interrupted while waiting for the serving log.");
      return;
    }
    ctx.status(202).contentType("application/json").result("{\"logged\":" + n + "}");
  }

  private JsonNode loggingBody(Context ctx) {
    JsonNode body = authorizedBody(ctx);
    if (body == null) {
      return null;
    }
    if (log == null) {
      error(ctx, 404, "Cannot log predictions: this server has no serving log (start it with --log-dir).");
      return null;
    }
    if (!body.isObject() || !body.path("model").isTextual() || body.path("model").asText().isBlank()) {
      error(ctx, 400, "Cannot log predictions: expected a JSON object with \"model\" (a name) and \"request_ids\".");
      return null;
    }
    if (body.path("model").asText().length() > MAX_NAME_CHARS) {
      error(ctx, 400, "Cannot log predictions: the model name is " + body.path("model").asText().length()
          + " characters long; the limit is " + MAX_NAME_CHARS + ".");
      return null;
    }
    for (Iterator<String> names = body.path("entities").fieldNames(); names.hasNext(); ) {
      String key = names.next();
      if (key.length() > MAX_NAME_CHARS) {
        error(ctx, 400, "Cannot log predictions: an entity key name is " + key.length() + " characters long; the limit is "
            + MAX_NAME_CHARS + ".");
        return null;
      }
    }
    return body;
  }

  private List<String> column(Context ctx, JsonNode body, String name, boolean required) {
    List<Object> values = scalars(ctx, body, name, -1, required);
    if (values == null) {
      return null;
    }
    List<String> out = new ArrayList<>(values.size());
    for (int i = 0; i < values.size(); i++) {
      Object v = values.get(i);
      if (!(v instanceof String str) || !REQUEST_ID.matcher(str).matches()) {
        error(ctx, 400, "Cannot log predictions: " + name + "[" + i + "] must be a request id (letters, digits, '._:-').");
        return null;
      }
      out.add(str);
    }
    if (out.isEmpty()) {
      error(ctx, 400, "Cannot log predictions: \"" + name + "\" is empty.");
      return null;
    }
    return out;
  }

  /** A list of scalars of the given length (-1: any), nulls for a missing optional column; null after answering 400. */
  private List<Object> scalars(Context ctx, JsonNode body, String name, int length, boolean required) {
    JsonNode node = body.get(name);
    if (node == null || node.isNull()) {
      if (required) {
        error(ctx, 400, "Cannot log predictions: \"" + name + "\" is missing.");
        return null;
      }
      List<Object> nulls = new ArrayList<>();
      for (int i = 0; i < length; i++) {
        nulls.add(null);
      }
      return nulls;
    }
    if (!node.isArray()) {
      error(ctx, 400, "Cannot log predictions: \"" + name + "\" must be a list.");
      return null;
    }
    if (length >= 0 && node.size() != length) {
      error(ctx, 400, "Cannot log predictions: \"" + name + "\" has " + node.size() + " values, request_ids has " + length + ".");
      return null;
    }
    List<Object> out = new ArrayList<>(node.size());
    for (JsonNode v : node) {
      if (v.isContainerNode()) {
        error(ctx, 400, "Cannot log predictions: " + name + "[" + out.size() + "] must be a string, number or boolean.");
        return null;
      }
      if (v.isTextual() && v.asText().getBytes(StandardCharsets.UTF_8).length > MAX_VALUE_BYTES
          || (v.isBigInteger() || v.isBigDecimal()) && v.asText().length() > MAX_VALUE_BYTES) {
        error(ctx, 400, "Cannot log predictions: " + name + "[" + out.size() + "] is longer than " + MAX_VALUE_BYTES + " bytes.");
        return null;
      }
      out.add(scalar(v));
    }
    return out;
  }

  /** The body's "time" (ISO-8601) or now; Long.MIN_VALUE after answering 400. */
  private long timeOf(Context ctx, JsonNode body) {
    JsonNode t = body.get("time");
    java.time.Instant now = clock.instant();
    if (t == null || t.isNull()) {
      return Durations.toMicros(now);
    }
    try {
      Long micros = (Long) TypedValues.fromJson(t, DataType.TIMESTAMP);
      if (micros != null) {
        long nowMicros = Durations.toMicros(now);
        long earliest = nowMicros - logMaxAge.toMillis() * 1000;
        long latest = nowMicros + logMaxAhead.toMillis() * 1000;
        if (micros < earliest || micros > latest) {
          error(ctx, 400, "Cannot log predictions: \"time\" " + Durations.formatInstant(micros)
              + " is outside the accepted window " + Durations.formatInstant(earliest) + " .. "
              + Durations.formatInstant(latest) + " (now - " + Durations.format(logMaxAge.toMillis() * 1000) + " .. now + "
              + Durations.format(logMaxAhead.toMillis() * 1000) + ").");
          return Long.MIN_VALUE;
        }
        return micros;
      }
    } catch (ValueFormatException | ArithmeticException | java.time.DateTimeException e) {
      // answered below
    }
    error(ctx, 400, "Cannot log predictions: \"time\" must be an ISO-8601 instant such as 2026-01-01T12:00:00Z.");
    return Long.MIN_VALUE;
  }

  private boolean authorized(String header) {
    // The scheme is case-insensitive (RFC 9110 11.1).
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }

  /** A request value in JSON's data model; typed where its type is known (EntityKeys, the log's readers). */
  private static Object scalar(JsonNode v) {
    return TypedValues.untyped(v);
  }

  /** Streams the response: a tree of 100 × 50 values costs more than the Redis round trip. */
  private byte[] response(Map<String, List<Object>> columns, OnlineFeatures result) {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(4096 + result.size() * result.featureNames().size() * 48);
    int n = result.size();
    try (JsonGenerator gen = json.getFactory().createGenerator(out)) {
      gen.writeStartObject();
      gen.writeObjectFieldStart("metadata");
      gen.writeArrayFieldStart("feature_names");
      for (String key : columns.keySet()) {
        gen.writeString(key);
      }
      for (String name : result.featureNames()) {
        gen.writeString(name);
      }
      gen.writeEndArray();
      gen.writeArrayFieldStart("feature_types");
      for (int i = 0; i < columns.size(); i++) {
        gen.writeString("key");
      }
      for (var type : result.featureTypes()) {
        gen.writeString(type.sqlName());
      }
      gen.writeEndArray();
      gen.writeEndObject();
      gen.writeArrayFieldStart("results");
      for (List<Object> keys : columns.values()) {
        gen.writeStartObject();
        gen.writeArrayFieldStart("values");
        for (Object v : keys) {
          TypedValues.writeUntypedJson(gen, v); // the keys as the request gave them
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("statuses");
        for (int r = 0; r < n; r++) {
          gen.writeString(STATUS_JSON.get(FeatureStatus.PRESENT));
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("event_timestamps");
        for (int r = 0; r < n; r++) {
          gen.writeString(EPOCH_JSON);
        }
        gen.writeEndArray();
        gen.writeEndObject();
      }
      Map<Long, SerializedString> times = new java.util.HashMap<>();
      for (int f = 0; f < result.featureNames().size(); f++) {
        DataType type = result.featureTypes().get(f);
        gen.writeStartObject();
        gen.writeArrayFieldStart("values");
        for (int r = 0; r < n; r++) {
          TypedValues.writeJson(gen, result.value(r, f), type);
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("statuses");
        for (int r = 0; r < n; r++) {
          gen.writeString(STATUS_JSON.get(result.status(r, f)));
        }
        gen.writeEndArray();
        gen.writeArrayFieldStart("event_timestamps");
        for (int r = 0; r < n; r++) {
          long t = result.eventTimeMicros(r, f);
          gen.writeString(t == OnlineFeatures.NO_TIME
              ? EPOCH_JSON : times.computeIfAbsent(t, micros -> new SerializedString(Durations.formatInstant(micros))));
        }
        gen.writeEndArray();
        gen.writeEndObject();
      }
      gen.writeEndArray();
      gen.writeEndObject();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException("Cannot write the response", e);
    }
    return out.toByteArray();
  }

  static String feastStatus(FeatureStatus s) {
    return s == FeatureStatus.OUTSIDE_TTL ? "OUTSIDE_MAX_AGE" : s.name();
  }

  private static String sentence(String message) {
    return message.endsWith(".") ? message : message + ".";
  }

  private void error(Context ctx, int status, String message) {
    ObjectNode node = json.createObjectNode().put("error", message);
    ctx.status(status).contentType("application/json").result(node.toString());
  }

  /** For tests and tools: the entity keys (name, type) a service's requests must carry. */
  public List<Field> entityKeys(String service) {
    return reader.entityKeys(service);
  }

  static void checkWindow(Duration maxAge, Duration maxAhead) {
    Duration century = Duration.ofDays(36_500);
    if (maxAge.isNegative() || maxAhead.isNegative() || maxAge.compareTo(century) > 0 || maxAhead.compareTo(century) > 0) {
      throw new IllegalArgumentException("Cannot accept log times from now - " + maxAge + " to now + " + maxAhead
          + ": both must be between zero and 36500 days");
    }
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
        LOG.error("Cannot serve {} {}: HTTP {}", request.getMethod(), request.getRequestURI(), status,
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

    static byte[] errorJson(String message) {
      return new ObjectMapper().createObjectNode().put("error", message).toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The one sentence for an error status, with Jetty's short reason where it helps. */
    static String sentence(int status, String reason) {
      String why = reason == null || reason.isBlank() ? "" : " (" + printable(reason) + ")";
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
  }

  /**
   * Jetty's HTTP/1.1 connection factory, except that a request Jetty's parser rejects with a 5xx
   * (505 for an unknown HTTP version such as {@code HTTP/9.9}, 500 for a failed upgrade) is answered
   * 400: a request that cannot be read is the client's error, and the only 5xx the server answers
   * for a reason of its own is 503. Every other bad message keeps Jetty's 4xx (414, 431, ...).
   */
  private static final class ClientErrorConnectionFactory extends org.eclipse.jetty.server.HttpConnectionFactory {
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

  /** {@code failure} as a 400 when its status is 5xx, unchanged otherwise. */
  static org.eclipse.jetty.http.BadMessageException asClientError(org.eclipse.jetty.http.BadMessageException failure) {
    if (failure.getCode() < 500) {
      return failure;
    }
    String reason = failure.getCode() == 505 ? "unsupported HTTP version, use HTTP/1.1" : failure.getReason();
    return new org.eclipse.jetty.http.BadMessageException(400, reason, failure);
  }

  public static final class Builder {
    private final OnlineReader reader;
    private OnlineStore ownedStore;
    private String host = "127.0.0.1";
    private int maxEntities = 1000;
    private String token;
    private ServingLog log;
    private java.time.Clock clock = java.time.Clock.systemUTC();
    private Duration logMaxAge = Duration.ofDays(7);
    private Duration logMaxAhead = Duration.ofDays(1);

    private Builder(OnlineReader reader) {
      this.reader = Objects.requireNonNull(reader, "reader");
    }

    /** Interface to bind; default loopback. */
    public Builder host(String host) {
      this.host = host;
      return this;
    }

    /** Entity rows allowed per request; default 1000. */
    public Builder maxEntities(int max) {
      if (max <= 0) {
        throw new IllegalArgumentException("Cannot limit requests to " + max + " entity rows: it must be positive");
      }
      this.maxEntities = max;
      return this;
    }

    /** Requires {@code Authorization: Bearer <token>} on feature requests; null for none. */
    public Builder bearerToken(String token) {
      this.token = token;
      return this;
    }

    /** Logs served vectors (sampled) and accepts predictions and labels; null for none. Closed with the server. */
    public Builder servingLog(ServingLog log) {
      this.log = log;
      return this;
    }

    /**
     * The window of record times {@code POST /log-predictions} and {@code /log-labels} accept:
     * {@code [now - maxAge, now + maxAhead]}; default 7 days back and 1 day ahead.
     */
    public Builder logTimeWindow(Duration maxAge, Duration maxAhead) {
      checkWindow(maxAge, maxAhead);
      this.logMaxAge = maxAge;
      this.logMaxAhead = maxAhead;
      return this;
    }

    /** The clock of "now" for served-at times and the log's time window; default the system's (UTC). */
    public Builder clock(java.time.Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    /** A store the server closes when it stops. */
    public Builder ownStore(OnlineStore store) {
      this.ownedStore = store;
      return this;
    }

    public FeatureServer build() {
      return new FeatureServer(this);
    }
  }
}
