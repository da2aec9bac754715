package dev.strata.online.server;

import dev.strata.config.StrataConfig;
import dev.strata.dsl.plan.CompiledPlan;
import dev.strata.dsl.plan.GroupProgress;
import dev.strata.dsl.types.Field;
import dev.strata.online.OnlineReader;
import dev.strata.online.OnlineStore;
import dev.strata.online.OnlineStoreConfig;
import dev.strata.online.log.ServingLog;
import io.javalin.Javalin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The HTTP feature server: {@code POST /get-online-features} with Feast's request and response
 * shapes, {@code GET /health} and {@code GET /metrics} (Prometheus text).
 *
 * <p>Request: {@code {"feature_service": "s", "entities": {"airport": ["ORD", "SFO"]}}} (or
 * {@code "features": ["group.feature", …]} instead of a service). Response: {@code
 * {"metadata": {"feature_names": [keys…, features…]}, "results": [{"values": […], "statuses":
 * […], "event_timestamps": […]}, …]}}, one result per column (entity keys first, as Feast does).
 * Statuses are Feast's: PRESENT, NOT_FOUND, OUTSIDE_MAX_AGE (Strata's OUTSIDE_TTL, and a value
 * of a group whose online data is older than its freshness, see {@link Builder#freshness}).
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
 *
 * <p>This class wires the parts and owns their lifecycle: {@link Routes} (paths, methods, what
 * answers the rest), {@link FeatureEndpoint}, {@link LogEndpoints} and {@link OpsEndpoints} (the
 * endpoints), {@link RequestCodec} and {@link ResponseCodec} (the JSON), {@link HttpErrors} (the
 * one mapping of failures to statuses, and the log line of every 5xx), {@link JettyErrors} (what
 * Jetty answers itself), {@link ServerMetrics} and {@link BearerAuth}.
 */
public final class FeatureServer implements AutoCloseable {
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
  /** How often the freshness gauges re-read the job ledger at most (see {@link Builder#freshness}). */
  public static final Duration DEFAULT_PROGRESS_REFRESH = Duration.ofSeconds(15);

  private final OnlineReader reader;
  private final OnlineStore ownedStore;
  private final String host;
  private final ServingLog log;
  private final ServerMetrics metrics;
  private final FeatureEndpoint features;
  private final LogEndpoints logs;
  private final OpsEndpoints ops;
  private final HttpErrors errors;
  private Javalin app;

  private FeatureServer(Builder b) {
    this.reader = b.reader;
    this.ownedStore = b.ownedStore;
    this.host = b.host;
    this.log = b.log;
    this.metrics = new ServerMetrics(log);
    if (b.progress != null) {
      metrics.watchFreshness(b.project, b.progress, b.progressRefresh, b.clock);
    }
    BearerAuth auth = new BearerAuth(b.token);
    this.features = new FeatureEndpoint(reader, log, auth, metrics, b.clock, b.maxEntities);
    this.logs = new LogEndpoints(log, auth, b.clock, b.logMaxAge, b.logMaxAhead);
    this.ops = new OpsEndpoints(reader, log, auth, metrics);
    this.errors = new HttpErrors(metrics);
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
    return start(plan, config, port, servingLog, logMaxAge, logMaxAhead, null);
  }

  /**
   * Like {@link #start(CompiledPlan, StrataConfig, int, ServingLog, Duration, Duration)}, exporting
   * the freshness gauges from {@code progress} (may be null: none; see {@link Builder#freshness}).
   */
  public static FeatureServer start(CompiledPlan plan, StrataConfig config, int port, ServingLog servingLog,
      Duration logMaxAge, Duration logMaxAhead, java.util.function.Supplier<java.util.List<GroupProgress>> progress) {
    OnlineStoreConfig store = OnlineStoreConfig.fromStrataConfig(config);
    checkWindow(logMaxAge, logMaxAhead); // before connecting: a bad flag is the user's error, not the store's
    OnlineStore online = OnlineStore.open(plan, store);
    // The reader asks the server's cached view of the ledger which groups are stale (OUTSIDE_MAX_AGE).
    java.util.concurrent.atomic.AtomicReference<FeatureServer> self = new java.util.concurrent.atomic.AtomicReference<>();
    OnlineReader reader = online.reader().staleGroups(() -> {
      FeatureServer s = self.get();
      return s == null ? java.util.Set.of() : s.staleGroups();
    }).build();
    Builder b = builder(reader).host("0.0.0.0").ownStore(online).servingLog(servingLog)
        .logTimeWindow(logMaxAge, logMaxAhead);
    if (progress != null) {
      b.freshness(plan.project(), progress, DEFAULT_PROGRESS_REFRESH);
    }
    String tokenEnv = System.getenv("STRATA_SERVER_TOKEN");
    if (tokenEnv != null && !tokenEnv.isBlank()) {
      b.bearerToken(tokenEnv);
    }
    String max = System.getenv("STRATA_SERVER_MAX_ENTITIES");
    if (max != null && !max.isBlank()) {
      b.maxEntities(Integer.parseInt(max.trim()));
    }
    FeatureServer server = b.build();
    self.set(server);
    return server.start(port);
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
      cfg.jetty.modifyServer(server -> server.setErrorHandler(new JettyErrors.JsonErrorHandler()));
      cfg.jetty.modifyServletContextHandler(handler -> handler.setErrorHandler(new JettyErrors.JsonErrorHandler()));
      // Javalin adds no default connector when one is configured: this one is the only listener.
      cfg.jetty.addConnector((server, httpConfig) -> {
        org.eclipse.jetty.server.ServerConnector connector = new org.eclipse.jetty.server.ServerConnector(server,
            new JettyErrors.ClientErrorConnectionFactory(httpConfig));
        connector.setHost(host);
        connector.setPort(port);
        return connector;
      });
    });
    Routes.register(app, features, logs, ops, errors, metrics);
    app.start(host, port);
    return this;
  }

  public int port() {
    return app.port();
  }

  /**
   * The online groups whose data is now older than their freshness, from the job ledger (see
   * {@link Builder#freshness}); empty without one. For {@link OnlineReader.Builder#staleGroups}.
   */
  public java.util.Set<String> staleGroups() {
    return metrics.staleGroups();
  }

  public PrometheusMeterRegistry metrics() {
    return metrics.registry();
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

  /** For tests and tools: the entity keys (name, type) a service's requests must carry. */
  public List<Field> entityKeys(String service) {
    return reader.entityKeys(service);
  }

  /** {@code failure} as a 400 when its status is 5xx, unchanged otherwise (see {@link JettyErrors}). */
  static org.eclipse.jetty.http.BadMessageException asClientError(org.eclipse.jetty.http.BadMessageException failure) {
    return JettyErrors.asClientError(failure);
  }

  static void checkWindow(Duration maxAge, Duration maxAhead) {
    Duration century = Duration.ofDays(36_500);
    if (maxAge.isNegative() || maxAhead.isNegative() || maxAge.compareTo(century) > 0 || maxAhead.compareTo(century) > 0) {
      throw new IllegalArgumentException("Cannot accept log times from now - " + maxAge + " to now + " + maxAhead
          + ": both must be between zero and 36500 days");
    }
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
    private String project;
    private java.util.function.Supplier<java.util.List<GroupProgress>> progress;
    private Duration progressRefresh = DEFAULT_PROGRESS_REFRESH;

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

    /**
     * Exports {@code strata_group_staleness_seconds} and {@code
     * strata_job_last_success_timestamp_seconds} from {@code progress} (the job ledger, read by
     * {@code dev.strata.dsl.registry.JobProgress}), re-read at scrape time at most every {@code
     * refresh} (default 15 seconds); null for none.
     */
    public Builder freshness(String project, java.util.function.Supplier<java.util.List<GroupProgress>> progress,
                             Duration refresh) {
      this.project = Objects.requireNonNull(project, "project");
      this.progress = progress;
      this.progressRefresh = Objects.requireNonNull(refresh, "refresh");
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
