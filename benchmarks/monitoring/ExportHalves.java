import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * Splits ../shared/datasets/flights-3m.parquet, ordered by time, into two 1.5M-row halves as CSV
 * with ten features (six numeric, four categorical). Uses DuckDB's JDBC driver only because
 * nothing else on this machine reads Parquet without Hadoop (no pyarrow); Strata itself is not
 * involved. Run with the single-file launcher: java -cp duckdb_jdbc.jar ExportHalves.java IN OUTDIR
 */
public class ExportHalves {
  public static void main(String[] args) throws Exception {
    String in = args[0];
    String out = args[1];
    try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
        Statement s = c.createStatement()) {
      s.execute("CREATE TABLE f AS SELECT "
          + "CAST(delay AS BIGINT) AS delay, CAST(distance AS BIGINT) AS distance, "
          + "hour(date) AS hour, isodow(date) AS day_of_week, "
          + "CASE WHEN delay > 15 THEN 1 ELSE 0 END AS late, "
          + "ln(greatest(distance, 1)) AS log_distance, origin, destination, "
          + "origin || '-' || destination AS route, "
          + "CASE WHEN hour(date) < 6 THEN 'night' WHEN hour(date) < 12 THEN 'morning' "
          + "WHEN hour(date) < 18 THEN 'afternoon' ELSE 'evening' END AS time_of_day, "
          + "row_number() OVER (ORDER BY date, origin, destination, delay, distance) AS rn "
          + "FROM read_parquet('" + in + "')");
      String cols = "delay, distance, hour, day_of_week, late, log_distance, origin, destination, route, time_of_day";
      s.execute("COPY (SELECT " + cols + " FROM f WHERE rn <= 1500000 ORDER BY rn) TO '" + out + "/reference.csv' (HEADER)");
      s.execute("COPY (SELECT " + cols + " FROM f WHERE rn > 1500000 ORDER BY rn) TO '" + out + "/current.csv' (HEADER)");
      try (ResultSet r = s.executeQuery("SELECT count(*), min(rn), max(rn) FROM f")) {
        r.next();
        System.out.println("rows " + r.getLong(1));
      }
      try (ResultSet r = s.executeQuery("SELECT (SELECT max(date) FROM read_parquet('" + in + "') ) AS hi, "
          + "(SELECT min(date) FROM read_parquet('" + in + "')) AS lo")) {
        r.next();
        System.out.println("dates " + r.getString(2) + " .. " + r.getString(1));
      }
    }
  }
}
