package dev.parley.client;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * Options of a {@link ParleyClient}. Start from {@link #defaults()}.
 *
 * @param connectTimeout   TCP connect timeout of REST calls and WebSocket upgrades
 * @param requestTimeout   how long one REST call may take
 * @param callbackExecutor runs completions of the futures the SDK returns, so that code chained on them never
 *                         runs on (and never blocks) a connection's I/O thread; {@code null} for a pool of daemon
 *                         threads owned by the client
 */
public record ClientOptions(Duration connectTimeout, Duration requestTimeout, Executor callbackExecutor) {
    /** Default {@link #connectTimeout()}: 5 seconds. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link #requestTimeout()}: 30 seconds. */
    public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** Checks the timeouts. */
    public ClientOptions {
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
        }
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout: " + requestTimeout + " (expected: > 0)");
        }
    }

    /** Default timeouts and the client's own callback pool. */
    public static ClientOptions defaults() {
        return new ClientOptions(DEFAULT_CONNECT_TIMEOUT, DEFAULT_REQUEST_TIMEOUT, null);
    }

    /** A copy with another {@link #connectTimeout()}. */
    public ClientOptions withConnectTimeout(Duration timeout) {
        return new ClientOptions(timeout, requestTimeout, callbackExecutor);
    }

    /** A copy with another {@link #requestTimeout()}. */
    public ClientOptions withRequestTimeout(Duration timeout) {
        return new ClientOptions(connectTimeout, timeout, callbackExecutor);
    }

    /** A copy with another {@link #callbackExecutor()}. */
    public ClientOptions withCallbackExecutor(Executor executor) {
        return new ClientOptions(connectTimeout, requestTimeout, executor);
    }
}
