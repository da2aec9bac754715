package dev.strata.stream;

import dev.strata.online.EncodedTile;
import dev.strata.online.TileWriter;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What a test job wrote, collected in this JVM (the MiniCluster runs in the test's JVM): the last
 * write of every tile id, every write, and the dead letters. One instance per job run.
 */
final class Collected {
  private static final Map<String, Collected> RUNS = new ConcurrentHashMap<>();

  final String id = UUID.randomUUID().toString();
  final Map<EncodedTile.Id, EncodedTile> tiles = new ConcurrentHashMap<>();
  final List<DeadLetter> deadLetters = new CopyOnWriteArrayList<>();

  Collected() {
    RUNS.put(id, this);
  }

  TileWriter.Factory tileSink() {
    String run = id;
    return () -> batch -> {
      Collected c = RUNS.get(run);
      for (EncodedTile t : batch) {
        c.tiles.put(t.id(), t);
      }
    };
  }

  DeadLetterSink.Factory deadLetterSink() {
    String run = id;
    return subtask -> letters -> RUNS.get(run).deadLetters.addAll(letters);
  }
}
