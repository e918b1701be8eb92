package dev.parley.cluster;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** Builds a {@link NodeRegistry} for a configured {@code nodes.type}; discovered with {@code ServiceLoader}. */
public interface NodeRegistryProvider {
    String type();

    NodeRegistry create(BackendConfig config, Resources resources);
}
