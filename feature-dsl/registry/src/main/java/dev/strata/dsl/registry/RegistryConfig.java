package dev.strata.dsl.registry;

import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Where the registry lives: a JDBC URL ({@code jdbc:sqlite:...} or {@code jdbc:postgresql:...}) and
 * optional credentials. {@link #toString()} and {@link #redactedUrl()} never show the password.
 *
 * @param jdbcUrl  the JDBC URL of the catalog database
 * @param user     the database user, or null
 * @param password the database password, or null
 */
public record RegistryConfig(String jdbcUrl, String user, String password) {
  private static final Pattern URL_PASSWORD =
      Pattern.compile("((?:password|pwd)=)[^&;]*", Pattern.CASE_INSENSITIVE);
  private static final Pattern URL_USERINFO = Pattern.compile("(//[^/@:]*:)[^/@]*@");

  public RegistryConfig {
    Objects.requireNonNull(jdbcUrl, "jdbcUrl");
    if (jdbcUrl.isBlank()) {
      throw new IllegalArgumentException("Invalid registry config: jdbcUrl is blank");
    }
  }

  /** A registry in a SQLite database file (parent directories are created on open). */
  public static RegistryConfig sqlite(Path file) {
    Objects.requireNonNull(file, "file");
    return new RegistryConfig("jdbc:sqlite:" + file.toAbsolutePath(), null, null);
  }

  /**
   * The registry in the same database as an Iceberg JdbcCatalog configured with these catalog
   * properties ({@code uri}, {@code jdbc.user}, {@code jdbc.password}).
   */
  public static RegistryConfig fromCatalogProperties(Map<String, String> properties) {
    String uri = properties.get("uri");
    if (uri == null || uri.isBlank()) {
      throw new IllegalArgumentException("Invalid catalog properties: missing 'uri'");
    }
    return new RegistryConfig(uri, properties.get("jdbc.user"), properties.get("jdbc.password"));
  }

  /** The URL with any embedded password masked, safe to print. */
  public String redactedUrl() {
    String url = URL_PASSWORD.matcher(jdbcUrl).replaceAll("$1****");
    url = URL_USERINFO.matcher(url).replaceAll("$1****@");
    if (password != null && !password.isEmpty()) {
      url = url.replace(password, "****");
    }
    return url;
  }

  @Override
  public String toString() {
    return "RegistryConfig{jdbcUrl=" + redactedUrl() + ", user=" + user + ", password="
        + (password == null ? "null" : "****") + "}";
  }
}
