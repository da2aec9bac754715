package dev.strata.monitoring.alert;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** One HTTP request whose failure is an IOException with one readable reason. */
final class Http {
  private static final HttpClient CLIENT = HttpClient.newBuilder()
      .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

  private Http() {}

  static void send(HttpRequest request, String what) throws IOException {
    HttpResponse<String> response;
    try {
      response = CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(what + " was not reached: interrupted", e);
    } catch (IOException e) {
      String why = e.getMessage() == null || e.getMessage().isBlank() ? e.getClass().getSimpleName() : e.getMessage();
      throw new IOException(what + " was not reached (" + why + ")", e);
    }
    if (response.statusCode() / 100 != 2) {
      String body = response.body() == null ? "" : response.body().strip();
      throw new IOException(what + " answered HTTP " + response.statusCode()
          + (body.isEmpty() ? "" : " (" + (body.length() > 200 ? body.substring(0, 200) + "\u2026" : body) + ")"));
    }
  }
}
