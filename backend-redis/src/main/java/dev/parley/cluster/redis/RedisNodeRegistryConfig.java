package dev.parley.cluster.redis;

import dev.parley.core.BackendConfig;
import dev.parley.redis.RedisSupport;
import java.net.URI;
import java.time.Duration;

/**
 * Settings of {@code nodes.type: redis}.
 *
 * @param uri       the Redis server ({@code redis://[:password@]host:port[/db]}, or {@code rediss://} for TLS)
 * @param keyPrefix prefix of the registry's key, so that several deployments may share one Redis
 * @param ttl       how long a node that stopped heartbeating stays listed: clients may be sent to a crashed node
 *                  for at most this long
 * @param heartbeat how often a node writes its entry again with its current load (well under {@code ttl}); also
 *                  the longest time for the entry to come back after Redis lost it
 * @param timeout   how long a read ({@code nodes()}, behind every discovery) waits for Redis before failing
 */
public record RedisNodeRegistryConfig(URI uri, String keyPrefix, Duration ttl, Duration heartbeat,
                                      Duration timeout) {
    public static final int DEFAULT_TTL_SECONDS = 5;
    public static final int DEFAULT_HEARTBEAT_MILLIS = 1000;
    public static final int DEFAULT_TIMEOUT_MILLIS = 1000;

    public RedisNodeRegistryConfig {
        if (heartbeat.compareTo(ttl) >= 0) {
            throw new IllegalArgumentException("nodes.heartbeatMillis: " + heartbeat.toMillis()
                + " (expected: less than nodes.ttlSeconds, " + ttl.toMillis() + " ms)");
        }
    }

    public static RedisNodeRegistryConfig from(BackendConfig c) {
        return new RedisNodeRegistryConfig(RedisSupport.uri(c), c.get("keyPrefix", RedisSupport.DEFAULT_KEY_PREFIX),
            Duration.ofSeconds(c.getInt("ttlSeconds", DEFAULT_TTL_SECONDS, 1, 3600)),
            Duration.ofMillis(c.getInt("heartbeatMillis", DEFAULT_HEARTBEAT_MILLIS, 10, 3_599_000)),
            Duration.ofMillis(c.getInt("timeoutMillis", DEFAULT_TIMEOUT_MILLIS, 10, 60_000)));
    }
}
