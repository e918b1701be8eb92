package dev.parley.sessions.redis;

import dev.parley.core.BackendConfig;
import dev.parley.redis.RedisSupport;
import java.net.URI;
import java.time.Duration;

/**
 * Settings of {@code sessions.type: redis}.
 *
 * @param uri           the Redis server ({@code redis://[:password@]host:port[/db]}, or {@code rediss://} for TLS)
 * @param keyPrefix     prefix of every key and channel, so that several deployments may share one Redis
 * @param ttl           how long an entry lives without being refreshed: a crashed node's devices count as
 *                      connected for at most this long
 * @param refresh       how often a node writes its entries again (well under {@code ttl}); also the longest time
 *                      for its entries to come back after Redis lost them
 * @param timeout       how long a read ({@code sessionsOf}) waits for Redis before failing
 */
public record RedisSessionRegistryConfig(URI uri, String keyPrefix, Duration ttl, Duration refresh,
                                         Duration timeout) {
    public static final int DEFAULT_TTL_SECONDS = 30;
    public static final int DEFAULT_REFRESH_SECONDS = 10;
    public static final int DEFAULT_TIMEOUT_MILLIS = 2000;

    public RedisSessionRegistryConfig {
        if (refresh.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("sessions.refreshSeconds: " + refresh.toSeconds()
                + " (expected: less than sessions.ttlSeconds, " + ttl.toSeconds() + ")");
        }
    }

    public static RedisSessionRegistryConfig from(BackendConfig c) {
        return new RedisSessionRegistryConfig(RedisSupport.uri(c), c.get("keyPrefix", RedisSupport.DEFAULT_KEY_PREFIX),
            Duration.ofSeconds(c.getInt("ttlSeconds", DEFAULT_TTL_SECONDS, 2, 3600)),
            Duration.ofSeconds(c.getInt("refreshSeconds", DEFAULT_REFRESH_SECONDS, 1, 3599)),
            Duration.ofMillis(c.getInt("timeoutMillis", DEFAULT_TIMEOUT_MILLIS, 10, 60_000)));
    }
}
