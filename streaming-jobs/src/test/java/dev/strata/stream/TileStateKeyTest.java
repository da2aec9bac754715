package dev.strata.stream;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TileStateKeyTest {
  @Test
  void aKeyNamesItsGroupVersionWhateverTheEntityValuesHold() {
    String group = TileStateKey.group("origin_delays", "3fa2c9d01b7e");
    String key = TileStateKey.of(group, new Object[] {"O'Hare, \"Chicago\"", "12:ab|3", 7L});
    assertThat(TileStateKey.groupOf(key)).isEqualTo(group);
    // A separator inside a value cannot shift a field: different keys stay different.
    assertThat(TileStateKey.of(group, new Object[] {"a1:b", "c"})).isNotEqualTo(TileStateKey.of(group, new Object[] {"a", "b1:c"}));
    assertThat(TileStateKey.group("g1", "v")).isNotEqualTo(TileStateKey.group("g", "1v"));
  }

  @Test
  void keysOfSavepointsFromBeforeIdentityKeysHaveNoGroup() {
    // The former position-based key: group index '|' entity key.
    assertThat(TileStateKey.groupOf("0|3:ORD")).isNull();
    assertThat(TileStateKey.groupOf("")).isNull();
    assertThat(TileStateKey.groupOf("13:origin_delays")).isNull();
    assertThat(TileStateKey.groupOf("99:short")).isNull();
    assertThat(TileStateKey.groupOf("99999999999:x")).isNull();
  }
}
