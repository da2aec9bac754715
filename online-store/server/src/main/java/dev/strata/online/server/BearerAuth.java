package dev.strata.online.server;

import io.javalin.http.Context;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;

/**
 * The optional bearer token of the server. Without a token every request passes; with one, a
 * request passes only with {@code Authorization: Bearer <token>} (the scheme case-insensitive, RFC
 * 9110 11.1), compared in constant time.
 */
final class BearerAuth {
  private final byte[] token;

  /** {@code token} null: no token required. */
  BearerAuth(String token) {
    this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Returns when the request may proceed.
   *
   * @throws HttpErrors.Unauthorized ("Cannot {what}: a valid bearer token is required.") otherwise
   */
  void require(Context ctx, String what) {
    if (token != null && !authorized(ctx.header("Authorization"))) {
      throw new HttpErrors.Unauthorized("Cannot " + what + ": a valid bearer token is required.");
    }
  }

  private boolean authorized(String header) {
    if (header == null || header.length() < 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return false;
    }
    return MessageDigest.isEqual(token, header.substring(7).trim().getBytes(StandardCharsets.UTF_8));
  }
}
