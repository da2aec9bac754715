package dev.strata.online.client;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.strata.dsl.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The import rules of docs/design.md that concern this module (see {@link ArchitectureRules}). */
class ArchitectureTest {
  static final JavaClasses MAIN = ArchitectureRules.moduleMainClasses();

  @Test
  void onlineClientIsLight() {
    ArchitectureRules.onlineClientIsLight().check(MAIN);
  }
}
