package dev.strata.stream;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

/** Fails fast, before a job is submitted, when a source's Kafka topic cannot be read. */
final class KafkaCheck {
  private KafkaCheck() {}

  /** @throws IllegalArgumentException with one sentence when the brokers or the topic are not there */
  static void checkTopic(String source, StreamInput.Kafka input, long timeoutMs) {
    checkTopic("stream source '" + source + "'", input.bootstrapServers(), input.topic(), timeoutMs);
  }

  /**
   * @param what what cannot be done without the topic, e.g. "send dead letters of source 'flights'"
   * @throws IllegalArgumentException with one sentence when the brokers or the topic are not there
   */
  static void checkTopic(String what, String bootstrapServers, String topic, long timeoutMs) {
    Map<String, Object> conf = Map.of(
        AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
        AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) timeoutMs,
        AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) timeoutMs);
    try (Admin admin = Admin.create(conf)) {
      admin.describeTopics(List.of(topic)).allTopicNames().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof UnknownTopicOrPartitionException) {
        throw new IllegalArgumentException("Cannot " + what + ": Kafka topic '" + topic + "' does not exist at " + bootstrapServers);
      }
      throw new IllegalArgumentException("Cannot reach Kafka at " + bootstrapServers + ": " + StreamJob.rootMessage(e));
    } catch (TimeoutException e) {
      throw new IllegalArgumentException("Cannot reach Kafka at " + bootstrapServers + ": no answer within " + timeoutMs + " ms");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalArgumentException("Cannot check Kafka at " + bootstrapServers + ": interrupted");
    } catch (RuntimeException e) {
      throw new IllegalArgumentException("Cannot reach Kafka at " + bootstrapServers + ": " + StreamJob.rootMessage(e));
    }
  }
}
