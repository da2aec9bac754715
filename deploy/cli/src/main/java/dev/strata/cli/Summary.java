package dev.strata.cli;

import dev.strata.dsl.plan.CompiledPlan;

final class Summary {
  private Summary() {}

  static String of(CompiledPlan plan) {
    int features = plan.groups().stream().mapToInt(g -> g.features().size()).sum();
    return count(plan.entities().size(), "entity", "entities") + ", "
        + count(plan.sources().size(), "source", "sources") + ", "
        + count(plan.groups().size(), "feature group", "feature groups") + " ("
        + count(features, "feature", "features") + "), "
        + count(plan.services().size(), "feature service", "feature services") + ", "
        + count(plan.trainingSets().size(), "training set", "training sets") + ", "
        + count(plan.monitors().size(), "monitor", "monitors");
  }

  private static String count(int n, String one, String many) {
    return n + " " + (n == 1 ? one : many);
  }
}
