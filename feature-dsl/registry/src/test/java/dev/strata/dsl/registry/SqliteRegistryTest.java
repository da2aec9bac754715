package dev.strata.dsl.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRegistryTest extends RegistryContractTest {

  @TempDir
  Path warehouse;

  @Override
  protected RegistryConfig config() {
    return RegistryConfig.sqlite(warehouse.resolve("nested/dirs/catalog.db"));
  }

  /**
   * Many processes' first `strata apply` at once: switching a fresh file to WAL can answer
   * "database is locked" without waiting, which opening must retry (this failed about 1 open in
   * 300 before it did).
   */
  @Test
  void racingOpensOfFreshFilesAllSucceed() throws Exception {
    java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(8);
    try {
      for (int round = 0; round < 60; round++) {
        RegistryConfig fresh = RegistryConfig.sqlite(warehouse.resolve("race" + round + "/catalog.db"));
        java.util.concurrent.CountDownLatch start = new java.util.concurrent.CountDownLatch(1);
        java.util.List<java.util.concurrent.Future<Registry>> opens = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
          opens.add(pool.submit(() -> {
            start.await();
            return Registry.open(fresh);
          }));
        }
        start.countDown();
        for (java.util.concurrent.Future<Registry> f : opens) {
          try (Registry r = f.get()) {
            assertThat(r.latest("flights")).isEmpty();
          }
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void createsParentDirectoriesAndUsesWal() throws Exception {
    open().record("flights", "{}", "h", null, null);
    assertThat(warehouse.resolve("nested/dirs/catalog.db")).isRegularFile();
    try (Connection conn = rawConnection(); Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualToIgnoringCase("wal");
    }
  }

  @Test
  void coexistsWithIcebergCatalogTables() throws Exception {
    // tables as Iceberg's JdbcCatalog creates them in the same file
    Files.createDirectories(warehouse.resolve("nested/dirs"));
    try (Connection conn = rawConnection(); Statement st = conn.createStatement()) {
      st.execute("CREATE TABLE iceberg_tables (catalog_name VARCHAR(255) NOT NULL, "
          + "table_namespace VARCHAR(255) NOT NULL, table_name VARCHAR(255) NOT NULL, "
          + "metadata_location VARCHAR(1000), previous_metadata_location VARCHAR(1000), "
          + "PRIMARY KEY (catalog_name, table_namespace, table_name))");
      st.execute("INSERT INTO iceberg_tables VALUES ('strata', 'strata', 'airport_daily', 's3://x', null)");
    }
    Registry registry = open();
    registry.record("flights", "{}", "h", null, null);
    try (Connection conn = rawConnection(); Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT count(*) FROM iceberg_tables")) {
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(1);
    }
  }
}
