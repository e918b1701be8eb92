package dev.parley.cluster.redis;

import dev.parley.cluster.NodeRegistry;
import dev.parley.cluster.NodeRegistryProvider;
import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;

/** {@code nodes.type: redis}: a {@link RedisNodeRegistry} shared by every node. */
public final class RedisNodeRegistryProvider implements NodeRegistryProvider {
    @Override
    public String type() {
        return "redis";
    }

    @Override
    public NodeRegistry create(BackendConfig config, Resources resources) {
        return new RedisNodeRegistry(RedisNodeRegistryConfig.from(config), resources.clock());
    }
}
