package dev.strata.online;

import static dev.strata.online.FlightsFixture.PLAN;
import static dev.strata.online.FlightsFixture.SERVICE;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.strata.online.client.OnlineFeatures;
import dev.strata.online.store.RedisKvStore;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.UnifiedJedis;

/**
 * A redis-server with TLS on, its certificate signed by a throwaway CA made with openssl: the
 * store is read and written through {@code rediss://…?tls_ca=ca.pem}, and an untrusted chain is
 * refused rather than silently accepted.
 */
class TlsTest {
  @TempDir
  static Path dir;

  static Process server;
  static int tlsPort;

  @BeforeAll
  static void startTlsServer() throws Exception {
    assumeTrue(RedisServers.available() && onPath("openssl"), "redis-server or openssl is not installed");
    Files.writeString(dir.resolve("san.cnf"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=strata-test-ca");
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
    openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem",
        "-days", "2", "-extfile", "san.cnf");
    int port = RedisServers.freePort();
    tlsPort = RedisServers.freePort();
    // The plain port only tells the helper when the server is up; the tests use the TLS port.
    server = RedisServers.start(port, dir, "--tls-port", Integer.toString(tlsPort),
        "--tls-cert-file", dir.resolve("server.pem").toString(), "--tls-key-file", dir.resolve("server.key").toString(),
        "--tls-ca-cert-file", dir.resolve("ca.pem").toString(), "--tls-auth-clients", "no");
  }

  @AfterAll
  static void stopServer() throws Exception {
    RedisServers.stop(server);
  }

  @Test
  void readsAndWritesOverTlsWithAPrivateCa() {
    OnlineStoreConfig config = OnlineStoreConfig.fromUrl(
        "rediss://127.0.0.1:" + tlsPort + "?prefix=t-tls&tls_ca=" + dir.resolve("ca.pem"));
    assertThat(config.tls()).isTrue();
    List<Map<String, Object>> rows = FlightsFixture.rows(RestartAndClusterTest.T, 40, 17);
    try (UnifiedJedis redis = RedisConnections.open(config)) {
      RedisLayout layout = new RedisLayout(config.prefix());
      RestartAndClusterTest.materialize(KvTileWriter.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build());
      OnlineFeatures got = OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(layout).build()
          .getOnlineFeatures(SERVICE, rows, RestartAndClusterTest.T);
      FlightsFixture.assertMatchesOracle(got, rows, RestartAndClusterTest.T);
    }
  }

  @Test
  void refusesAChainTheJvmDoesNotTrust() {
    OnlineStoreConfig config = OnlineStoreConfig.fromUrl("rediss://127.0.0.1:" + tlsPort + "?prefix=t-tls&timeout_ms=2000");
    List<Map<String, Object>> rows = FlightsFixture.rows(RestartAndClusterTest.T, 2, 17);
    try (UnifiedJedis redis = RedisConnections.open(config)) {
      assertThatThrownBy(() -> OnlineReader.builder(PLAN, RedisKvStore.of(redis)).layout(new RedisLayout(config.prefix())).build()
          .getOnlineFeatures(SERVICE, rows, RestartAndClusterTest.T))
          .isInstanceOf(OnlineStoreException.class)
          .hasMessageStartingWith("Cannot read online features: Redis failed");
    } catch (redis.clients.jedis.exceptions.JedisException e) {
      // A client that connects eagerly refuses at open: the handshake failure is what we want.
      assertThat(e).hasStackTraceContaining("certification path");
    }
  }

  @Test
  void aMissingCaFileIsOneSentence() {
    assertThatThrownBy(() -> RedisConnections.open(OnlineStoreConfig.fromUrl(
        "rediss://127.0.0.1:" + tlsPort + "?tls_ca=" + dir.resolve("nope.pem"))))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot configure TLS for Redis: the CA file " + dir.resolve("nope.pem") + " does not exist");
    assertThatThrownBy(() -> OnlineStoreConfig.fromUrl("redis://127.0.0.1:6379?tls_ca=/x.pem"))
        .hasMessage("Cannot configure the online store: tls_ca is set but TLS is off (use rediss://)");
  }

  private static void openssl(String... args) throws Exception {
    List<String> cmd = new java.util.ArrayList<>(List.of("openssl"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(dir.resolve("openssl.log").toFile()).start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("openssl %s (see %s)", String.join(" ", args), dir.resolve("openssl.log")).isTrue();
  }

  private static boolean onPath(String program) {
    for (String d : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(d, program))) {
        return true;
      }
    }
    return false;
  }
}
