package dev.strata.stream;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A private redis-server for a test that stops Redis under a job; its AOF survives a restart. */
final class RedisProcess implements AutoCloseable {
  final int port;
  private final Path dir;
  private Process process;

  RedisProcess(Path dir) throws IOException, InterruptedException {
    try (ServerSocket s = new ServerSocket(0)) {
      this.port = s.getLocalPort();
    }
    this.dir = dir;
    start();
  }

  void start() throws IOException, InterruptedException {
    process = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"))
        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!answersPing()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("redis-server did not start on port " + port + " (see " + dir.resolve("redis.log") + ")");
      }
      Thread.sleep(20);
    }
  }

  /** SIGTERM: Redis syncs its AOF and exits, as a restarted production server would. */
  void stop() throws InterruptedException {
    if (process != null && process.isAlive()) {
      process.destroy();
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor();
      }
    }
  }

  private boolean answersPing() {
    try (Socket s = new Socket("127.0.0.1", port)) {
      OutputStream out = s.getOutputStream();
      out.write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
      InputStream in = s.getInputStream();
      byte[] reply = new byte[5];
      int n = in.read(reply);
      return n > 0 && new String(reply, 0, n, StandardCharsets.US_ASCII).startsWith("+PONG");
    } catch (IOException e) {
      return false;
    }
  }

  /** Stops the server and deletes its directory. */
  @Override
  public void close() throws InterruptedException, IOException {
    stop();
    try (java.util.stream.Stream<Path> files = java.nio.file.Files.walk(dir)) {
      for (Path p : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(p);
      }
    }
  }
}
