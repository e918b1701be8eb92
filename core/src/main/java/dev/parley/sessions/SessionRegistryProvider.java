package dev.parley.sessions;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** Builds a {@link SessionRegistry} for a configured {@code sessions.type}; discovered with {@code ServiceLoader}. */
public interface SessionRegistryProvider {
    String type();

    SessionRegistry create(BackendConfig config, Resources resources);
}
