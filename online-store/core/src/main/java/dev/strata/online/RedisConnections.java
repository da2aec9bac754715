package dev.strata.online;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.LinkedHashSet;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManagerFactory;
import org.apache.commons.pool2.impl.GenericObjectPoolConfig;
import redis.clients.jedis.Connection;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.UnifiedJedis;

/** Opens Jedis clients (standalone or cluster) from an {@link OnlineStoreConfig}. */
public final class RedisConnections {
  private RedisConnections() {}

  /** A TLS socket factory that trusts exactly the certificates in a PEM file. */
  static SSLSocketFactory socketFactoryTrusting(Path pemFile) {
    try (InputStream in = Files.newInputStream(pemFile)) {
      KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
      trusted.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        trusted.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new IllegalArgumentException("Cannot configure TLS for Redis: " + pemFile + " holds no certificate");
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trusted);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context.getSocketFactory();
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException("Cannot configure TLS for Redis: the CA file " + pemFile + " does not exist");
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("Cannot configure TLS for Redis: cannot read certificates from " + pemFile + " ("
          + e.getMessage() + ")", e);
    }
  }

  // Jedis deprecates ssl/sslParameters/sslSocketFactory for SslOptions, which cannot trust a PEM CA
  // file without a keystore; these still verify host names and chains.
  @SuppressWarnings("deprecation")
  public static UnifiedJedis open(OnlineStoreConfig config) {
    DefaultJedisClientConfig.Builder client = DefaultJedisClientConfig.builder()
        .connectionTimeoutMillis(config.connectTimeoutMillis())
        .socketTimeoutMillis(config.socketTimeoutMillis())
        .ssl(config.tls())
        .clientName("strata-online");
    if (config.tls()) {
      // Verify the server's host name, not only its chain: what an HTTPS client does.
      SSLParameters parameters = new SSLParameters();
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
      client.sslParameters(parameters);
      if (config.tlsCaFile() != null) {
        client.sslSocketFactory(socketFactoryTrusting(Path.of(config.tlsCaFile())));
      }
    }
    if (config.password() != null) {
      client.password(config.password());
      if (config.user() != null) {
        client.user(config.user());
      }
    }
    GenericObjectPoolConfig<Connection> pool = new GenericObjectPoolConfig<>();
    pool.setMaxTotal(config.maxConnections());
    pool.setMaxIdle(config.maxConnections());
    // Fail fast when the pool is exhausted or Redis is down: callers turn it into a 503.
    pool.setMaxWait(java.time.Duration.ofMillis(config.connectTimeoutMillis()));
    pool.setJmxEnabled(false);
    Set<HostAndPort> nodes = new LinkedHashSet<>();
    for (String node : config.nodes()) {
      nodes.add(HostAndPort.from(node));
    }
    if (config.cluster()) {
      return RedisClusterClient.builder().nodes(nodes).clientConfig(client.build()).poolConfig(pool).maxAttempts(2).build();
    }
    client.database(config.database());
    return RedisClient.builder().hostAndPort(nodes.iterator().next()).clientConfig(client.build()).poolConfig(pool).build();
  }
}
