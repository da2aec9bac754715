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

  /** The records of a CSV file as Python's csv module reads them (resource python/read_csv.py). */
  public static List<List<String>> readCsv(Path file) {
    return readCsv(List.of(file)).get(0);
  }

  /** The records of each file, read by one python3 process (it takes a while to start). */
  public static List<List<List<String>>> readCsv(List<Path> files) {
    try {
      Path script = Files.createTempFile("read_csv", ".py");
      try (InputStream in = Python.class.getResourceAsStream("/python/read_csv.py")) {
        Files.write(script, in.readAllBytes());
      }
      try {
        List<String> command = new java.util.ArrayList<>(List.of("python3", script.toString()));
        files.forEach(f -> command.add(f.toString()));
        Process p = new ProcessBuilder(command).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
          throw new IllegalStateException("python3 read_csv.py " + files + " failed: " + err);
        }
        return new ObjectMapper().readValue(out, new TypeReference<List<List<List<String>>>>() {});
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
