package dev.strata.dsl.testing;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * python3's csv module as an independent reader of CSV files that Strata reads or writes (this
 * class ships in feature-dsl's test jar). Tests skip their Python checks when python3 is absent.
 */
public final class Python {
  private static Boolean available;

  private Python() {}

  /** True when python3 runs on this machine. */
  public static synchronized boolean available() {
    if (available == null) {
      try {
        Process p = new ProcessBuilder("python3", "-c", "import csv, json").redirectErrorStream(true).start();
        available = p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
      } catch (IOException e) {
        available = false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        available = false;
      }
    }
    return available;
  }

  /** The records of a CSV file as Python's csv module reads them (read_csv.py beside this class's resources). */
  public static List<List<String>> readCsv(Path file) {
    try {
      Path script = Files.createTempFile("read_csv", ".py");
      try (InputStream in = Python.class.getResourceAsStream("/python/read_csv.py")) {
        Files.write(script, in.readAllBytes());
      }
      try {
        Process p = new ProcessBuilder("python3", script.toString(), file.toString()).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("python3 read_csv.py " + file + " failed: " + err);
        }
        return new ObjectMapper().readValue(out, new TypeReference<List<List<String>>>() {});
      } finally {
        Files.deleteIfExists(script);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
