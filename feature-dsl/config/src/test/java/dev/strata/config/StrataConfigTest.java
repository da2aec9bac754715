package dev.strata.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Warehouse folders and URIs, the catalog they imply, and what environment variables override. */
class StrataConfigTest {
  @TempDir
  Path project;

  @Test
  void aFolderWarehouseIsResolvedAndHoldsTheEmbeddedCatalog() throws Exception {
    Files.writeString(project.resolve("strata.yaml"), "warehouse: data/wh\n");
    StrataConfig c = StrataConfig.load(project, Map.of());
    Path wh = project.toAbsolutePath().normalize().resolve("data/wh");
    assertThat(c.warehouseIsUri()).isFalse();
    assertThat(c.warehousePath()).isEqualTo(wh);
    assertThat(c.warehouseUri()).isEqualTo(wh.toUri().toString());
    assertThat(c.rejectsLocation()).isEqualTo(wh.resolve("rejects").toString());
    assertThat(c.catalogUri()).isEqualTo("jdbc:sqlite:" + wh.resolve("catalog.db"));
  }

  @Test
  void aUriWarehouseIsTakenAsItIsAndNeedsACatalog() throws Exception {
    Files.writeString(project.resolve("strata.yaml"),
        "warehouse: s3://acme-lake/strata/\ncatalog:\n  uri: jdbc:postgresql://db:5432/strata\n");
    StrataConfig c = StrataConfig.load(project, Map.of());
    assertThat(c.warehouseIsUri()).isTrue();
    assertThat(c.warehouseUri()).isEqualTo("s3://acme-lake/strata/");
    assertThat(c.rejectsLocation()).isEqualTo("s3://acme-lake/strata/rejects");
    assertThatThrownBy(c::warehousePath).hasMessageStartingWith("Cannot use the warehouse s3://acme-lake/strata/ as a local folder");

    StrataConfig env = StrataConfig.load(project, Map.of("STRATA_WAREHOUSE", "file:///tmp/lake"));
    assertThat(env.warehouseUri()).isEqualTo("file:///tmp/lake");
    assertThat(env.catalogUri()).isEqualTo("jdbc:postgresql://db:5432/strata");

    Files.writeString(project.resolve("strata.yaml"), "warehouse: s3://acme-lake/strata\n");
    assertThatThrownBy(() -> StrataConfig.load(project, Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Cannot use the warehouse s3://acme-lake/strata with the embedded catalog: it lives in a local warehouse "
            + "folder; set catalog.uri (or STRATA_CATALOG_URI) to a PostgreSQL or REST catalog");
  }

  /** Issue 19 item 10: the environment no longer wins silently; every setting says where it came from. */
  @Test
  void everySettingSaysWhereItCameFrom(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("strata.yaml"), "redis:\n  url: redis://file-host:6379\ncatalog:\n  namespace: feats\n");
    var settings = StrataConfig.settings(dir, Map.of("STRATA_REDIS_URL", "redis://env-host:6379", "STRATA_KAFKA_BOOTSTRAP_SERVERS", "k:9092"));
    java.util.Map<String, StrataConfig.Setting> byKey = new java.util.HashMap<>();
    settings.forEach(st -> byKey.put(st.key(), st));
    assertThat(settings).extracting(StrataConfig.Setting::key).containsExactly("warehouse", "catalog.uri", "catalog.user",
        "catalog.password", "catalog.namespace", "redis.url", "kafka.bootstrap_servers");
    assertThat(byKey.get("redis.url").origin()).isEqualTo(StrataConfig.Origin.ENVIRONMENT);
    assertThat(byKey.get("redis.url").overridesFile()).isTrue();
    assertThat(byKey.get("kafka.bootstrap_servers").origin()).isEqualTo(StrataConfig.Origin.ENVIRONMENT);
    assertThat(byKey.get("kafka.bootstrap_servers").overridesFile()).isFalse();
    assertThat(byKey.get("catalog.namespace").origin()).isEqualTo(StrataConfig.Origin.FILE);
    assertThat(byKey.get("warehouse").origin()).isEqualTo(StrataConfig.Origin.DEFAULT);
    assertThat(StrataConfig.load(dir, Map.of("STRATA_REDIS_URL", "redis://env-host:6379")).redisUrl()).isEqualTo("redis://env-host:6379");
  }
}
