package dev.parley.messaging;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** Builds a {@link MessageStore} for a configured {@code messages.type}; discovered with {@code ServiceLoader}. */
public interface MessageStoreProvider {
    /** The {@code type} this provider answers to, e.g. {@code "sqlite"}. */
    String type();

    MessageStore create(BackendConfig config, Resources resources);
}
