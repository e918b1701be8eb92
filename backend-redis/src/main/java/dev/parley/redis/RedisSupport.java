package dev.parley.redis;

import dev.parley.core.BackendConfig;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.event.connection.ConnectionActivatedEvent;
import java.net.URI;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the Redis backends (the session registry, the node registry) set up alike: the {@code uri} option, a Lettuce
 * client that fails fast while Redis is away, the background thread that keeps a node's entries written, and the
 * hook that writes them again after a reconnect.
 */
public final class RedisSupport {
    private static final Logger log = LoggerFactory.getLogger(RedisSupport.class);

    public static final String DEFAULT_URI = "redis://127.0.0.1:6379";
    public static final String DEFAULT_KEY_PREFIX = "parley:";

    private RedisSupport() {
    }

    /** The section's {@code uri} option (default {@link #DEFAULT_URI}); a bad one names the key and the form. */
    public static URI uri(BackendConfig c) {
        String raw = c.get("uri", DEFAULT_URI);
        URI uri;
        try {
            uri = URI.create(raw.trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(c.section() + ".uri: \"" + raw + "\" (expected: redis://host:port)");
        }
        if (!"redis".equals(uri.getScheme()) && !"rediss".equals(uri.getScheme())) {
            throw new IllegalArgumentException(c.section() + ".uri: \"" + raw + "\" (expected: redis://host:port "
                + "or rediss://host:port)");
        }
        return uri;
    }

    /**
     * A client that reconnects by itself and, while Redis is away, rejects commands at once rather than queueing
     * them without bound (the owner's next refresh writes its entries anyway); every command times out after
     * {@code timeout}.
     */
    public static RedisClient client(URI uri, Duration timeout) {
        RedisURI redisUri = RedisURI.create(uri);
        redisUri.setTimeout(timeout);
        RedisClient client = RedisClient.create(redisUri);
        client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .timeoutOptions(TimeoutOptions.enabled(timeout))
            .build());
        return client;
    }

    /** One daemon thread for the owner's periodic writes. */
    public static ScheduledExecutorService thread(String name) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Runs {@code rewrite} after every reconnect: Redis may have restarted empty (no persistence is needed), so the
     * owner writes its entries again at once rather than at its next refresh. Disposing the handle stops it.
     */
    public static reactor.core.Disposable onReconnect(RedisClient client, Runnable rewrite) {
        return client.getResources().eventBus().get()
            .filter(ConnectionActivatedEvent.class::isInstance)
            .subscribe(e -> rewrite.run(), e -> log.debug("connection events ended", e));
    }

    /** The URI without its password, for messages. */
    public static String redact(URI uri) {
        String s = uri.toString();
        return uri.getUserInfo() == null ? s : s.replace(uri.getRawUserInfo() + "@", "***@");
    }
}
