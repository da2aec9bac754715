package dev.strata.stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;

/**
 * Dead letters as JSON lines ({@code {"source","reason","record"}}), appended to {@code
 * <dir>/<source>-<subtask>.jsonl}: one file per parallel writer, so writers never share a file.
 */
public final class FileDeadLetterSink implements DeadLetterSink {
  private final BufferedWriter out;
  private final ObjectMapper mapper = new ObjectMapper();

  private FileDeadLetterSink(Path file) throws IOException {
    Files.createDirectories(file.getParent());
    this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
  }

  public static Factory factory(Path dir, String source) {
    String d = dir.toAbsolutePath().toString();
    return subtask -> new FileDeadLetterSink(Path.of(d, source + "-" + subtask + ".jsonl"));
  }

  @Override
  public void write(List<DeadLetter> letters) throws IOException {
    for (DeadLetter l : letters) {
      ObjectNode n = mapper.createObjectNode();
      n.put("source", l.source()).put("reason", l.reason()).put("record", l.record());
      out.write(mapper.writeValueAsString(n));
      out.write('\n');
    }
    out.flush();
  }

  @Override
  public void close() throws IOException {
    out.close();
  }
}
