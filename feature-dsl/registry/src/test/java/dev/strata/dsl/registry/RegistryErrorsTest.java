package dev.strata.dsl.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RegistryErrorsTest {
  private static final String SECRET = "hunter2-s3cret";

  private static RegistryException openFails(RegistryConfig config) {
    RegistryException e = catchThrowableOfType(RegistryException.class, () -> Registry.open(config));
    assertThat(e).as("open(%s) should fail", config).isNotNull();
    assertOneSentenceWithoutSecret(e);
    return e;
  }

  private static void assertOneSentenceWithoutSecret(RegistryException e) {
    assertThat(e.getMessage())
        .startsWith("Cannot open registry at ")
        .doesNotContain(SECRET)
        .doesNotContain("\n")
        .doesNotContain(". ");
    assertThat(e.getCause()).isNotNull();
  }

  @Test
  void unreachablePostgres() {
    RegistryException e = openFails(
        new RegistryConfig("jdbc:postgresql://127.0.0.1:5999/strata", "postgres", SECRET));
    assertThat(e).hasMessage(
        "Cannot open registry at jdbc:postgresql://127.0.0.1:5999/strata: connection refused");
  }

  @Test
  void passwordInUrlIsMasked() {
    RegistryException e = openFails(new RegistryConfig(
        "jdbc:postgresql://127.0.0.1:5999/strata?user=postgres&password=" + SECRET, null, null));
    assertThat(e).hasMessage("Cannot open registry at "
        + "jdbc:postgresql://127.0.0.1:5999/strata?user=postgres&password=****: connection refused");
  }

  @Test
  void unknownHost() {
    RegistryException e = openFails(
        new RegistryConfig("jdbc:postgresql://no-such-host.invalid:5432/strata", "postgres", SECRET));
    assertThat(e.getMessage()).contains("no-such-host.invalid");
  }

  @Test
  void missingPostgresDatabase() {
    RegistryException e = openFails(new RegistryConfig(
        "jdbc:postgresql://" + PostgresRegistryTest.HOST + "/strata_no_such_db", "postgres", SECRET));
    assertThat(e).hasMessage("Cannot open registry at jdbc:postgresql://" + PostgresRegistryTest.HOST
        + "/strata_no_such_db: database \"strata_no_such_db\" does not exist");
  }

  @Test
  void unsupportedUrl() {
    assertThatThrownBy(() -> Registry.open(new RegistryConfig("jdbc:mysql://db/strata", "u", SECRET)))
        .isInstanceOf(RegistryException.class)
        .hasMessage("Cannot open registry at jdbc:mysql://db/strata: unsupported JDBC URL "
            + "(expected jdbc:sqlite: or jdbc:postgresql:)");
    assertThatThrownBy(() -> Registry.open(new RegistryConfig("not a url", null, null)))
        .isInstanceOf(RegistryException.class)
        .hasMessageStartingWith("Cannot open registry at not a url: unsupported JDBC URL");
  }

  @Test
  void sqliteParentIsAFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("warehouse"), "not a directory");
    RegistryException e = openFails(RegistryConfig.sqlite(file.resolve("catalog.db")));
    assertThat(e.getMessage()).contains("cannot create directory " + file);
  }

  @Test
  void sqliteFileIsNotADatabase(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("catalog.db"), "this is not sqlite ".repeat(100));
    RegistryException e = openFails(RegistryConfig.sqlite(file));
    assertThat(e).hasMessage("Cannot open registry at jdbc:sqlite:" + file + ": the file is not a SQLite database"
        + " (it starts with bytes 7468697320697320 instead of the SQLite header): restore it from a backup,"
        + " or move it away to start a new catalog");
  }

  @Test
  void sqlitePathIsADirectory(@TempDir Path dir) {
    RegistryException e = openFails(RegistryConfig.sqlite(dir));
    assertThat(e.getMessage()).startsWith("Cannot open registry at jdbc:sqlite:" + dir + ": ");
  }

  @Test
  void configNeverPrintsThePassword() {
    RegistryConfig config = new RegistryConfig(
        "jdbc:postgresql://postgres:" + SECRET + "@db:5432/strata?password=" + SECRET, "strata", SECRET);
    assertThat(config.toString()).doesNotContain(SECRET).contains("password=****");
    assertThat(config.redactedUrl()).doesNotContain(SECRET).startsWith("jdbc:postgresql://");
    assertThat(new RegistryConfig("jdbc:sqlite:/tmp/x.db", null, null).toString())
        .isEqualTo("RegistryConfig{jdbcUrl=jdbc:sqlite:/tmp/x.db, user=null, password=null}");
  }

  @Test
  void configFromIcebergCatalogProperties(@TempDir Path dir) {
    RegistryConfig config = RegistryConfig.fromCatalogProperties(Map.of(
        "uri", "jdbc:postgresql://db:5432/catalog", "jdbc.user", "strata", "jdbc.password", SECRET,
        "warehouse", dir.toString()));
    assertThat(config).isEqualTo(new RegistryConfig("jdbc:postgresql://db:5432/catalog", "strata", SECRET));
    assertThat(RegistryConfig.sqlite(dir.resolve("catalog.db")).jdbcUrl())
        .isEqualTo("jdbc:sqlite:" + dir.resolve("catalog.db").toAbsolutePath());
  }
}
