/**
 * The kinds of failure every layer can name ({@link dev.strata.dsl.error.StrataFailure}): a bad
 * request, an unknown name, a store unavailable, a definition error. They live in the language,
 * the lightest module, so that the online client, the store, the server, the jobs and the CLI
 * throw and map the same types.
 */
package dev.strata.dsl.error;
