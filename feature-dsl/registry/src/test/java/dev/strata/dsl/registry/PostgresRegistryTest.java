package dev.strata.dsl.registry;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * Runs against the real PostgreSQL server at 127.0.0.1:5432 (database {@code test}, user
 * {@code postgres}), each test in a fresh schema. Fails (does not skip) if the server is down.
 */
class PostgresRegistryTest extends RegistryContractTest {
  static final String HOST = System.getProperty("strata.test.pg.host", "127.0.0.1:5432");
  static final String ADMIN_URL = "jdbc:postgresql://" + HOST + "/test";
  static final String USER = "postgres";

  private String schema;

  @BeforeEach
  void createSchema() throws SQLException {
    schema = "strata_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12)
        .toLowerCase(Locale.ROOT);
    try (Connection conn = DriverManager.getConnection(ADMIN_URL, USER, null);
         Statement st = conn.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    }
  }

  @AfterEach
  void dropSchema() throws SQLException {
    closeRegistries();
    try (Connection conn = DriverManager.getConnection(ADMIN_URL, USER, null);
         Statement st = conn.createStatement()) {
      st.execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    }
  }

  @Override
  protected RegistryConfig config() {
    return new RegistryConfig(ADMIN_URL + "?currentSchema=" + schema, USER, null);
  }
}
