package dev.parley.cluster;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** Builds a {@link ClusterBus} for a configured {@code bus.type}; discovered with {@code ServiceLoader}. */
public interface ClusterBusProvider {
    String type();

    ClusterBus create(BackendConfig config, Resources resources);
}
