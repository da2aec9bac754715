package dev.strata.dsl.registry;

/**
 * A registry operation failed. The message is one sentence of the form
 * "Cannot &lt;do what&gt;: &lt;why&gt;" that names the database URL (never its password);
 * the underlying cause stays attached for debugging.
 */
public class RegistryException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public RegistryException(String message) {
    super(message);
  }

  public RegistryException(String message, Throwable cause) {
    super(message, cause);
  }
}
