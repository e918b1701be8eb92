package dev.parley.client;

import dev.parley.client.internal.Http;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Options of a {@link ParleySession}. Start from {@link #defaults()}:
 *
 * <pre>{@code
 * ParleySession s = client.session(token, ConnectOptions.defaults(),
 *     SessionOptions.defaults().withDiscovery(URI.create("https://a.chat.example"), URI.create("https://b.chat.example")));
 * }</pre>
 *
 * @param baseDelay the first retry waits up to this long (then up to twice as long each time, up to
 *                  {@code maxDelay}; full jitter: uniform from zero)
 * @param maxDelay  the longest wait between two attempts
 * @param discovery before every connection, ask {@code GET /v1/discovery} which node to connect to, and connect
 *                  there; otherwise connect to the client's base URL
 * @param seeds     the base URLs ({@code http(s)://host:port}) of nodes to ask, in this order, after the one that
 *                  answered last; then the nodes that earlier answers listed. Empty: the client's base URL
 */
public record SessionOptions(Duration baseDelay, Duration maxDelay, boolean discovery, List<URI> seeds) {

    /** Checks the backoff and the seeds. */
    public SessionOptions {
        Objects.requireNonNull(baseDelay, "baseDelay");
        Objects.requireNonNull(maxDelay, "maxDelay");
        if (baseDelay.isNegative() || baseDelay.isZero() || maxDelay.compareTo(baseDelay) < 0) {
            throw new IllegalArgumentException("backoff: base " + baseDelay + ", max " + maxDelay
                + " (expected: 0 < base <= max)");
        }
        seeds = List.copyOf(seeds);
        seeds.forEach(Http::normalizeBase); // an http(s) URL without query: fails now rather than at a reconnect
    }

    /** Backoff from {@link ParleySession#DEFAULT_BASE_DELAY} to {@link ParleySession#DEFAULT_MAX_DELAY}, no discovery. */
    public static SessionOptions defaults() {
        return new SessionOptions(ParleySession.DEFAULT_BASE_DELAY, ParleySession.DEFAULT_MAX_DELAY, false, List.of());
    }

    /** A copy with another backoff. */
    public SessionOptions withBackoff(Duration base, Duration max) {
        return new SessionOptions(base, max, discovery, seeds);
    }

    /**
     * A copy that asks discovery before every connection, of these nodes (none: the client's base URL); a seed that
     * cannot be reached is skipped for the next.
     */
    public SessionOptions withDiscovery(URI... seedUrls) {
        return new SessionOptions(baseDelay, maxDelay, true, List.of(seedUrls));
    }

    /** A copy that connects to the client's base URL without asking discovery. */
    public SessionOptions withoutDiscovery() {
        return new SessionOptions(baseDelay, maxDelay, false, List.of());
    }
}
