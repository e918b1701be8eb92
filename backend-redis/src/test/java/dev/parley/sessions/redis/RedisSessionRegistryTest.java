package dev.parley.sessions.redis;

import dev.parley.sessions.SessionRegistry;
import dev.parley.sessions.SessionRegistryContract;
import dev.parley.testkit.RedisExtension;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RedisExtension.class)
class RedisSessionRegistryTest extends SessionRegistryContract {
    @Override
    protected SessionRegistry newRegistry() {
        return new RedisSessionRegistry(config("t" + UUID.randomUUID() + ":", 30, 10));
    }

    /** A registry on the run's Redis, with keys under {@code prefix}. */
    static RedisSessionRegistryConfig config(String prefix, int ttlSeconds, int refreshSeconds) {
        return new RedisSessionRegistryConfig(RedisExtension.server().uri(), prefix,
            Duration.ofSeconds(ttlSeconds), Duration.ofSeconds(refreshSeconds), Duration.ofSeconds(2));
    }
}
