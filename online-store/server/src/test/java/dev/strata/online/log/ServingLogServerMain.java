package dev.strata.online.log;

import dev.strata.dsl.testing.FlightsSample;
import dev.strata.online.OnlineReader;
import dev.strata.online.server.FeatureServer;
import dev.strata.online.store.InMemoryKvStore;
import java.nio.file.Path;
import java.time.Duration;

/** A feature server with a serving log, for tests that run it in a JVM of its own: args DIR MAX_AGE_DAYS. */
public final class ServingLogServerMain {
  private ServingLogServerMain() {}

  public static void main(String[] args) throws Exception {
    OnlineReader reader = OnlineReader.builder(FlightsSample.plan(), new InMemoryKvStore()).build();
    JsonLinesServingLog log = JsonLinesServingLog.builder(Path.of(args[0])).instance("fork").build();
    FeatureServer server = FeatureServer.builder(reader).servingLog(log)
        .logTimeWindow(Duration.ofDays(Long.parseLong(args[1])), Duration.ofDays(1)).build().start(0);
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    System.out.println("PORT " + server.port() + " RECOVERED " + log.recoveredFiles());
    System.out.flush();
    Thread.currentThread().join();
  }
}
