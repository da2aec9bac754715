package dev.strata.dsl.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A catalog file truncated to 0 bytes, or overwritten with something else, is refused with one
 * sentence and left as it is: SQLite alone would take an empty file for a new database, and the
 * next {@code apply} would record version 1 again over a lost history (issue 15, item 11).
 */
class DamagedSqliteRegistryTest {
  @TempDir
  Path dir;

  private static RegistryException refused(Path file) {
    RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.open(RegistryConfig.sqlite(file)));
    assertThat(e).as("opening %s must fail", file).isNotNull();
    assertThat(e.getMessage()).startsWith("Cannot open registry at jdbc:sqlite:" + file + ": ")
        .doesNotContain("\n").doesNotContain(". ");
    return e;
  }

  @Test
  void aTruncatedCatalogIsRefusedAndNotReinitialized() throws Exception {
    Path file = dir.resolve("catalog.db");
    try (Registry r = Registry.open(RegistryConfig.sqlite(file))) {
      assertThat(r.record("flights", "{}", "h1", "me", null).version()).isEqualTo(1);
      assertThat(r.record("flights", "{\"a\":1}", "h2", "me", null).version()).isEqualTo(2);
    }
    Files.write(file, new byte[0]); // what a full disk or a careless "> catalog.db" leaves
    Files.deleteIfExists(dir.resolve("catalog.db-wal"));
    Files.deleteIfExists(dir.resolve("catalog.db-shm"));
    Files.setLastModifiedTime(file, FileTime.from(Instant.now().minusSeconds(60)));

    RegistryException e = refused(file);
    assertThat(e.getMessage()).contains("the file is empty (0 bytes), not a SQLite database");
    assertThat(Files.size(file)).as("the damaged file is left as it was").isZero();
  }

  @Test
  void aFreshEmptyFileIsRefusedAfterTheCreationGrace() throws Exception {
    Path file = Files.createFile(dir.resolve("catalog.db"));
    long start = System.nanoTime();
    RegistryException e = refused(file);
    assertThat(e.getMessage()).contains("the file is empty");
    assertThat((System.nanoTime() - start) / 1_000_000).isLessThan(10_000);
    assertThat(Files.size(file)).isZero();
  }

  @Test
  void aFileThatIsNotSqliteIsRefusedUntouched() throws Exception {
    Path file = Files.writeString(dir.resolve("catalog.db"), "{\"oops\": true}\n");
    byte[] before = Files.readAllBytes(file);
    RegistryException e = refused(file);
    assertThat(e.getMessage()).contains("the file is not a SQLite database");
    assertThat(Files.readAllBytes(file)).isEqualTo(before);
  }

  @Test
  void aFileShorterThanTheHeaderIsRefused() throws Exception {
    Path file = Files.write(dir.resolve("catalog.db"), "SQLite".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    assertThat(refused(file).getMessage()).contains("the file is not a SQLite database");
  }

  @Test
  void aHealthyCatalogKeepsItsHistory() throws Exception {
    Path file = dir.resolve("catalog.db");
    try (Registry r = Registry.open(RegistryConfig.sqlite(file))) {
      r.record("flights", "{}", "h1", "me", null);
    }
    try (Registry r = Registry.open(RegistryConfig.sqlite(file))) {
      assertThat(r.latest("flights")).get().extracting(RegistryEntry::version).isEqualTo(1);
      assertThat(r.record("flights", "{\"a\":1}", "h2", "me", null).version()).isEqualTo(2);
    }
  }
}
