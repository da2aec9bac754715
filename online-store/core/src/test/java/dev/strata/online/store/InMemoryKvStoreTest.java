package dev.strata.online.store;

/** The contract on the in-memory store. */
class InMemoryKvStoreTest extends KvStoreContract {
  private final InMemoryKvStore store = new InMemoryKvStore();

  @Override
  protected KvStore store() {
    return store;
  }

  @Override
  protected String prefix() {
    return "mem";
  }
}
