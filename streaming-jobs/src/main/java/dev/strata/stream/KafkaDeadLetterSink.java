package dev.strata.stream;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Dead letters to a Kafka topic, the way Kafka Connect's dead-letter queues carry them: the value
 * is the record exactly as it was read (a Kafka record's bytes; a file record's text as UTF-8), so
 * a fixed consumer can replay it; the context is in headers — {@code strata.source}, {@code
 * strata.reason}, and for Kafka records {@code strata.topic}, {@code strata.partition}, {@code
 * strata.offset} of the original record.
 *
 * <p>A batch returns once the broker acknowledged every letter ({@code acks=all}); a failure fails
 * the batch and so the task, which restarts from its checkpoint. Letters are delivered at least
 * once: a restore may send the letters of the replayed records again, as the file sink appends them
 * again.
 */
public final class KafkaDeadLetterSink implements DeadLetterSink {
  public static final String SOURCE_HEADER = "strata.source";
  public static final String REASON_HEADER = "strata.reason";
  public static final String TOPIC_HEADER = "strata.topic";
  public static final String PARTITION_HEADER = "strata.partition";
  public static final String OFFSET_HEADER = "strata.offset";

  private final String topic;
  private final KafkaProducer<byte[], byte[]> producer;

  private KafkaDeadLetterSink(String bootstrapServers, String topic) {
    this.topic = topic;
    this.producer = new KafkaProducer<>(Map.of(
        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        ProducerConfig.ACKS_CONFIG, "all",
        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
        ProducerConfig.LINGER_MS_CONFIG, 5,
        ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName(),
        ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName()));
  }

  /** A factory for the job: every parallel writer has its own producer. */
  public static Factory factory(String bootstrapServers, String topic) {
    if (bootstrapServers == null || bootstrapServers.isBlank() || topic == null || topic.isBlank()) {
      throw new IllegalArgumentException("Cannot send dead letters to Kafka: give a topic and bootstrap servers");
    }
    return subtask -> new KafkaDeadLetterSink(bootstrapServers, topic);
  }

  @Override
  public void write(List<DeadLetter> letters) throws IOException {
    List<Future<RecordMetadata>> sent = new ArrayList<>(letters.size());
    for (DeadLetter l : letters) {
      sent.add(producer.send(record(l)));
    }
    producer.flush();
    try {
      for (Future<RecordMetadata> f : sent) {
        f.get();
      }
    } catch (ExecutionException e) {
      throw new IOException("Cannot send dead letters to Kafka topic '" + topic + "': " + StreamJob.rootMessage(e), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("Cannot send dead letters to Kafka topic '" + topic + "': interrupted", e);
    }
  }

  private ProducerRecord<byte[], byte[]> record(DeadLetter l) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(SOURCE_HEADER, utf8(l.source()));
    headers.add(REASON_HEADER, utf8(l.reason()));
    Origin o = l.origin();
    byte[] value;
    if (o != null) {
      headers.add(TOPIC_HEADER, utf8(o.topic()));
      headers.add(PARTITION_HEADER, utf8(Integer.toString(o.partition())));
      headers.add(OFFSET_HEADER, utf8(Long.toString(o.offset())));
      value = o.payload(); // null for a tombstone: the letter is one too
    } else {
      value = utf8(l.record());
    }
    return new ProducerRecord<>(topic, null, (byte[]) null, value, headers);
  }

  private static byte[] utf8(String s) {
    return s == null ? null : s.getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    producer.close();
  }
}
