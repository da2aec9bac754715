package dev.strata.online;

import dev.strata.config.StrataConfig;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How to reach the online store: Redis nodes, standalone or cluster, credentials, TLS,
 * timeouts and the key prefix. Immutable; build with {@link #builder()} or {@link #fromUrl}.
 *
 * <p>URL form: {@code redis[s]://[user[:password]@]host:port[,host:port…][/db][?cluster=true&prefix=p&timeout_ms=n&tls_ca=file]}.
 * {@code rediss} turns TLS on (the server's certificate and host name are verified against the
 * JVM's trust store, or against the PEM certificates in {@code tls_ca}); several hosts or
 * {@code cluster=true} mean Redis Cluster.
 */
public final class OnlineStoreConfig {
  private final List<String> nodes;
  private final boolean cluster;
  private final String user;
  private final String password;
  private final boolean tls;
  private final String tlsCaFile;
  private final int database;
  private final int connectTimeoutMillis;
  private final int socketTimeoutMillis;
  private final String prefix;
  private final int maxConnections;

  private OnlineStoreConfig(Builder b) {
    if (b.nodes.isEmpty()) {
      throw new IllegalArgumentException("Cannot configure the online store: no Redis node given");
    }
    this.nodes = List.copyOf(b.nodes);
    this.cluster = b.cluster;
    this.user = b.user;
    this.password = b.password;
    this.tls = b.tls;
    this.tlsCaFile = b.tlsCaFile;
    this.database = b.database;
    this.connectTimeoutMillis = b.connectTimeoutMillis;
    this.socketTimeoutMillis = b.socketTimeoutMillis;
    this.prefix = b.prefix;
    this.maxConnections = b.maxConnections;
    if (tlsCaFile != null && !tls) {
      throw new IllegalArgumentException("Cannot configure the online store: tls_ca is set but TLS is off (use rediss://)");
    }
    if (cluster && database != 0) {
      throw new IllegalArgumentException("Cannot configure the online store: Redis Cluster has only database 0");
    }
  }

  public static Builder builder() {
    return new Builder();
  }

  public static OnlineStoreConfig fromStrataConfig(StrataConfig config) {
    return fromUrl(config.redisUrl());
  }

  public static OnlineStoreConfig fromUrl(String url) {
    Objects.requireNonNull(url, "url");
    String redacted = url.replaceAll("(//[^/@:]*:)[^/@]*@", "$1****@");
    Builder b = builder();
    String rest;
    if (url.startsWith("redis://")) {
      rest = url.substring(8);
    } else if (url.startsWith("rediss://")) {
      rest = url.substring(9);
      b.tls(true);
    } else {
      throw new IllegalArgumentException("Cannot parse Redis URL '" + redacted + "': expected redis:// or rediss://");
    }
    String query = null;
    int q = rest.indexOf('?');
    if (q >= 0) {
      query = rest.substring(q + 1);
      rest = rest.substring(0, q);
    }
    int at = rest.lastIndexOf('@');
    if (at >= 0) {
      String userInfo = rest.substring(0, at);
      rest = rest.substring(at + 1);
      int colon = userInfo.indexOf(':');
      String u = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
      String p = colon >= 0 ? userInfo.substring(colon + 1) : null;
      if (colon < 0) {
        // redis://secret@host: a password alone, as redis-cli reads it.
        p = u;
        u = null;
      }
      b.user(u == null || u.isEmpty() ? null : decode(u)).password(p == null ? null : decode(p));
    }
    int slash = rest.indexOf('/');
    if (slash >= 0) {
      String db = rest.substring(slash + 1);
      rest = rest.substring(0, slash);
      if (!db.isEmpty()) {
        try {
          b.database(Integer.parseInt(db));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("Cannot parse Redis URL '" + redacted + "': database '" + db + "' is not a number");
        }
      }
    }
    List<String> hosts = new ArrayList<>();
    for (String h : rest.split(",")) {
      if (!h.isBlank()) {
        hosts.add(h.contains(":") ? h : h + ":6379");
      }
    }
    b.nodes(hosts).cluster(hosts.size() > 1);
    if (query != null) {
      for (String kv : query.split("&")) {
        String[] p = kv.split("=", 2);
        String v = p.length > 1 ? decode(p[1]) : "true";
        switch (p[0]) {
          case "cluster" -> b.cluster(Boolean.parseBoolean(v));
          case "prefix" -> b.prefix(v);
          case "timeout_ms" -> b.socketTimeoutMillis(parseInt(redacted, v)).connectTimeoutMillis(parseInt(redacted, v));
          case "max_connections" -> b.maxConnections(parseInt(redacted, v));
          case "tls_ca" -> b.tlsCaFile(v);
          default -> throw new IllegalArgumentException("Cannot parse Redis URL '" + redacted + "': unknown option '" + p[0]
              + "' (expected cluster, prefix, timeout_ms, max_connections or tls_ca)");
        }
      }
    }
    for (String h : hosts) {
      URI.create("redis://" + h); // rejects malformed host:port early
    }
    return b.build();
  }

  private static int parseInt(String url, String v) {
    try {
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("Cannot parse Redis URL '" + url + "': '" + v + "' is not a number");
    }
  }

  private static String decode(String s) {
    return URLDecoder.decode(s, StandardCharsets.UTF_8);
  }

  public List<String> nodes() {
    return nodes;
  }

  public boolean cluster() {
    return cluster;
  }

  public String user() {
    return user;
  }

  public String password() {
    return password;
  }

  public boolean tls() {
    return tls;
  }

  /** PEM file of the certificates that sign the server's, or null for the JVM's trust store. */
  public String tlsCaFile() {
    return tlsCaFile;
  }

  public int database() {
    return database;
  }

  public int connectTimeoutMillis() {
    return connectTimeoutMillis;
  }

  public int socketTimeoutMillis() {
    return socketTimeoutMillis;
  }

  public String prefix() {
    return prefix;
  }

  public int maxConnections() {
    return maxConnections;
  }

  /** Where the store is, without secrets, for messages. */
  public String describe() {
    return (tls ? "rediss://" : "redis://") + (user == null ? "" : user + "@") + String.join(",", nodes)
        + (database == 0 ? "" : "/" + database) + (cluster ? " (cluster)" : "");
  }

  @Override
  public String toString() {
    return "OnlineStoreConfig[" + describe() + ", password=" + (password == null ? "none" : "****") + ", prefix=" + prefix + "]";
  }

  public static final class Builder {
    private List<String> nodes = List.of("127.0.0.1:6379");
    private boolean cluster;
    private String user;
    private String password;
    private boolean tls;
    private String tlsCaFile;
    private int database;
    private int connectTimeoutMillis = 1000;
    private int socketTimeoutMillis = 1000;
    private String prefix = RedisLayout.DEFAULT_PREFIX;
    private int maxConnections = 16;

    private Builder() {}

    /** host:port of each node (for a cluster, any subset of its nodes). */
    public Builder nodes(List<String> hostPorts) {
      this.nodes = List.copyOf(hostPorts);
      return this;
    }

    public Builder node(String host, int port) {
      this.nodes = List.of(host + ":" + port);
      return this;
    }

    public Builder cluster(boolean cluster) {
      this.cluster = cluster;
      return this;
    }

    /** ACL user; null for the default user. */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    public Builder password(String password) {
      this.password = password;
      return this;
    }

    public Builder tls(boolean tls) {
      this.tls = tls;
      return this;
    }

    /** Trust the certificates in this PEM file (a private CA) instead of the JVM's trust store. */
    public Builder tlsCaFile(String pemFile) {
      this.tlsCaFile = pemFile;
      return this;
    }

    public Builder database(int database) {
      this.database = database;
      return this;
    }

    public Builder connectTimeoutMillis(int millis) {
      this.connectTimeoutMillis = millis;
      return this;
    }

    public Builder socketTimeoutMillis(int millis) {
      this.socketTimeoutMillis = millis;
      return this;
    }

    public Builder prefix(String prefix) {
      this.prefix = prefix;
      return this;
    }

    public Builder maxConnections(int maxConnections) {
      this.maxConnections = maxConnections;
      return this;
    }

    public OnlineStoreConfig build() {
      return new OnlineStoreConfig(this);
    }
  }
}
