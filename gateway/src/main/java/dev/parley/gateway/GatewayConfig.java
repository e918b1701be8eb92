package dev.parley.gateway;

import java.time.Duration;

/**
 * Network settings.
 *
 * @param host                 address to bind
 * @param port                 TCP port; 0 picks a free one
 * @param ioThreads            event loop threads; 0 means one per core
 * @param authTimeout          how long a new WebSocket may wait before sending {@code auth} (then 4408)
 * @param idleTimeout          how long an authenticated WebSocket may stay silent (no frame, not even {@code ping})
 * @param outboundLimitBytes   queued outbound bytes at which a connection counts as too slow: live messages to it
 *                             close it (4429) and wait in the store for its next sync
 * @param syncBufferLimit      live messages held back while a connection syncs before it counts as too slow
 * @param shedWhenBackedUp     drop receipt, presence and typing frames to a connection whose outbound queue is backed
 *                             up (counted in {@code parley.frames.shed}), so that messages go first
 */
public record GatewayConfig(String host, int port, int ioThreads, Duration authTimeout, Duration idleTimeout,
                            int outboundLimitBytes, int syncBufferLimit, boolean shedWhenBackedUp) {
    public static final String DEFAULT_HOST = "0.0.0.0";
    public static final int DEFAULT_PORT = 8080;
    public static final Duration DEFAULT_AUTH_TIMEOUT = Duration.ofSeconds(10);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(90);
    public static final int DEFAULT_OUTBOUND_LIMIT_BYTES = 4 << 20;
    public static final int DEFAULT_SYNC_BUFFER_LIMIT = 10_000;

    public static GatewayConfig defaults() {
        return new GatewayConfig(DEFAULT_HOST, DEFAULT_PORT, 0, DEFAULT_AUTH_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
            DEFAULT_OUTBOUND_LIMIT_BYTES, DEFAULT_SYNC_BUFFER_LIMIT, true);
    }
}
