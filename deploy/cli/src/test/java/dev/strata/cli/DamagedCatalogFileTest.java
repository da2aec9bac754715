package dev.strata.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The reproduction of issue 15, item 11, as a user meets it: after two applies, catalog.db is
 * truncated to 0 bytes; {@code strata apply} used to take it for a new catalog and record version
 * 1 again. Now plan, apply and registry list refuse it with one sentence and exit 1.
 */
class DamagedCatalogFileTest {
  @Test
  void anEmptyCatalogIsRefusedByEveryRegistryCommand(@TempDir Path tmp) throws IOException {
    Path dir = StrataCliTest.copyExample(tmp.resolve("flights"));
    assertThat(StrataCliTest.run("apply", dir.toString(), "-m", "first").code()).isZero();
    Path catalog = dir.resolve(".strata/warehouse/catalog.db");
    Files.write(catalog, new byte[0]);
    Files.deleteIfExists(dir.resolve(".strata/warehouse/catalog.db-wal"));
    Files.deleteIfExists(dir.resolve(".strata/warehouse/catalog.db-shm"));
    Files.setLastModifiedTime(catalog, FileTime.from(Instant.now().minusSeconds(60)));

    for (String[] args : new String[][] {
        {"apply", dir.toString(), "-m", "again"}, {"plan", dir.toString()}, {"registry", "list", dir.toString()}}) {
      StrataCliTest.Run r = StrataCliTest.run(args);
      assertThat(r.code()).as(String.join(" ", args) + ": " + r.out() + r.err()).isEqualTo(1);
      StrataCliTest.assertNoStackTrace(r);
      assertThat(r.err().strip()).isEqualTo("strata: Cannot open registry at jdbc:sqlite:" + catalog.toAbsolutePath()
          + ": the file is empty (0 bytes), not a SQLite database; it is not taken for a new catalog, so that no history"
          + " is lost: restore it from a backup, or delete it to start a new catalog");
      assertThat(r.out()).doesNotContain("registry version 1");
    }
    assertThat(Files.size(catalog)).isZero();
  }

  @Test
  void aCatalogThatIsNotSqliteIsRefused(@TempDir Path tmp) throws IOException {
    Path dir = StrataCliTest.copyExample(tmp.resolve("flights"));
    Path catalog = dir.resolve(".strata/warehouse/catalog.db");
    Files.createDirectories(catalog.getParent());
    Files.writeString(catalog, "<html>not a database</html>");
    StrataCliTest.Run r = StrataCliTest.run("apply", dir.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err().strip()).startsWith("strata: Cannot open registry at jdbc:sqlite:")
        .contains("the file is not a SQLite database").doesNotContain("\n");
    assertThat(Files.readString(catalog)).isEqualTo("<html>not a database</html>");
  }
}
