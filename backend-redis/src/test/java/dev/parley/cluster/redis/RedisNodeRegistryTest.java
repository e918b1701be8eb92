package dev.parley.cluster.redis;

import dev.parley.cluster.NodeRegistry;
import dev.parley.cluster.NodeRegistryContract;
import dev.parley.testkit.RedisExtension;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class RedisNodeRegistryTest extends NodeRegistryContract {
    /** One per test (JUnit makes an instance per test): the nodes of one test share it. */
    private final String prefix = "t" + UUID.randomUUID() + ":";

    @Override
    protected NodeRegistry newRegistry() {
        return new RedisNodeRegistry(config(prefix, 2000, 200));
    }

    /** A registry on the run's Redis, with its key under {@code prefix}. */
    static RedisNodeRegistryConfig config(String prefix, long ttlMillis, long heartbeatMillis) {
        return new RedisNodeRegistryConfig(RedisExtension.server().uri(), prefix, Duration.ofMillis(ttlMillis),
            Duration.ofMillis(heartbeatMillis), Duration.ofSeconds(2));
    }
}
