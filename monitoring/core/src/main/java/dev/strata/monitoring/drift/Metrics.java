package dev.strata.monitoring.drift;

import java.util.List;
import java.util.Locale;

/** Metric names, as they appear in results, JSON, reports and monitor thresholds. */
public final class Metrics {
  public static final String PSI = "psi";
  public static final String JS_DISTANCE = "js_distance";
  public static final String KS = "ks";
  public static final String KS_PVALUE = "ks_pvalue";
  public static final String WASSERSTEIN = "wasserstein";
  public static final String WASSERSTEIN_NORMED = "wasserstein_normed";
  public static final String CHI_SQUARE = "chi_square";
  public static final String CHI_SQUARE_PVALUE = "chi_square_pvalue";
  public static final String REFERENCE_NULL_RATE = "reference_null_rate";
  public static final String CURRENT_NULL_RATE = "current_null_rate";
  public static final String NULL_RATE_CHANGE = "null_rate_change";
  public static final String OUT_OF_RANGE = "out_of_range";
  public static final String UNSEEN_SHARE = "unseen_share";

  /** Metrics where a larger value means more drift: the ones a threshold may be set on. */
  public static final List<String> HIGHER_IS_WORSE = List.of(PSI, JS_DISTANCE, KS, WASSERSTEIN,
      WASSERSTEIN_NORMED, CHI_SQUARE, NULL_RATE_CHANGE, OUT_OF_RANGE, UNSEEN_SHARE);

  private Metrics() {}

  /** Accepts the monitor language's spellings ({@code null_rate}, {@code ks_statistic}). */
  public static String canonical(String name) {
    String n = name.toLowerCase(Locale.ROOT);
    switch (n) {
      case "null_rate":
        return NULL_RATE_CHANGE;
      case "ks_statistic":
        return KS;
      case "js":
        return JS_DISTANCE;
      default:
        return n;
    }
  }
}
