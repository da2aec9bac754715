package dev.strata.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.strata.dsl.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The import rules of docs/design.md that concern this module (see {@link ArchitectureRules}). */
class ArchitectureTest {
  static final JavaClasses MAIN = ArchitectureRules.moduleMainClasses();

  @Test
  void cliNeverLinksAnEngine() {
    ArchitectureRules.cliNeverLinksAnEngine().check(MAIN);
  }

  @Test
  void onlyTheStoreTalksToRedis() {
    ArchitectureRules.onlyTheStoreTalksToRedis().check(MAIN);
  }
}
