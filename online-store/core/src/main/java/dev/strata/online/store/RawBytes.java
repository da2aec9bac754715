package dev.strata.online.store;

import redis.clients.jedis.args.Rawable;

/**
 * A command argument that is the array itself: Jedis's own byte[] arguments copy every key,
 * field and value. The array must not change once the command is sent.
 */
record RawBytes(byte[] raw) implements Rawable {
  @Override
  public byte[] getRaw() {
    return raw;
  }
}
