/** Shared pieces of the core: ids, backend selection (providers discovered by {@code ServiceLoader}), errors. */
package dev.parley.core;
