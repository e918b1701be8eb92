package dev.parley.sessions.redis;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import dev.parley.sessions.SessionRegistry;
import dev.parley.sessions.SessionRegistryProvider;

/** {@code sessions.type: redis}: a {@link RedisSessionRegistry} shared by every node. */
public final class RedisSessionRegistryProvider implements SessionRegistryProvider {
    @Override
    public String type() {
        return "redis";
    }

    @Override
    public SessionRegistry create(BackendConfig config, Resources resources) {
        return new RedisSessionRegistry(RedisSessionRegistryConfig.from(config));
    }
}
