package dev.strata.online;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Starts throwaway redis-server processes for tests (restart, cluster). */
final class RedisServers {
  private RedisServers() {}

  static boolean available() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(dir, "redis-server"))) {
        return true;
      }
    }
    return false;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Process start(int port, Path dir, String... extra) throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
        "--dir", dir.toString(), "--daemonize", "no", "--save", "", "--appendonly", "no", "--protected-mode", "no"));
    cmd.addAll(List.of(extra));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("redis-" + port + ".log").toFile()).start();
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket("127.0.0.1", port)) {
        // Ready once it answers PING (or asks for AUTH), not -LOADING while it replays its file.
        s.getOutputStream().write("PING\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        byte[] reply = new byte[7];
        int n = s.getInputStream().read(reply);
        String r = n > 0 ? new String(reply, 0, n, java.nio.charset.StandardCharsets.US_ASCII) : "";
        if (r.startsWith("+PONG") || r.startsWith("-NOAUTH")) {
          return p;
        }
        Thread.sleep(20);
      } catch (IOException e) {
        Thread.sleep(20);
      }
    }
    p.destroyForcibly();
    throw new IllegalStateException("redis-server did not start on port " + port);
  }

  static void stop(Process p) throws InterruptedException {
    if (p != null && p.isAlive()) {
      p.destroy(); // SIGTERM: redis saves (when configured) and exits
      if (!p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
      }
    }
  }
}
