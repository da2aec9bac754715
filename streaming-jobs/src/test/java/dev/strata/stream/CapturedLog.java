package dev.strata.stream;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.Configuration;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/** The messages one logger writes at INFO and above while open (the MiniCluster runs in the test's JVM). */
final class CapturedLog implements AutoCloseable {
  final List<String> messages = new CopyOnWriteArrayList<>();
  private final String logger;
  private final LoggerContext context = (LoggerContext) LogManager.getContext(false);
  private final AbstractAppender appender;

  CapturedLog(Class<?> loggerClass) {
    this.logger = loggerClass.getName();
    appender = new AbstractAppender("captured-" + logger, null, null, true, Property.EMPTY_ARRAY) {
      @Override
      public void append(LogEvent event) {
        messages.add(event.getMessage().getFormattedMessage());
      }
    };
    appender.start();
    Configuration config = context.getConfiguration();
    LoggerConfig captured = new LoggerConfig(logger, Level.INFO, false);
    captured.addAppender(appender, Level.INFO, null);
    config.addLogger(logger, captured);
    context.updateLoggers();
  }

  @Override
  public void close() {
    context.getConfiguration().removeLogger(logger);
    context.updateLoggers();
    appender.stop();
  }
}
