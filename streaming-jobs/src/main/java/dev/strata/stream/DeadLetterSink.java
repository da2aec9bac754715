package dev.strata.stream;

import java.io.IOException;
import java.io.Serializable;
import java.util.List;

/** Where dead letters go: a file, a Kafka topic, a test's collection. */
public interface DeadLetterSink extends AutoCloseable {

  void write(List<DeadLetter> letters) throws IOException;

  @Override
  default void close() throws IOException {}

  /** Opens a sink where the job runs; {@code subtask} tells parallel writers apart. */
  interface Factory extends Serializable {
    DeadLetterSink open(int subtask) throws IOException;
  }
}
