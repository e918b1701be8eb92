package dev.parley.cluster.redis;

import dev.parley.cluster.NodeInfo;
import dev.parley.cluster.NodeLoad;
import dev.parley.cluster.NodeRegistry;
import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import dev.parley.redis.RedisSupport;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide {@link NodeRegistry} in Redis.
 *
 * <p>Layout: one hash, {@code <prefix>nodes}, with one field per node, its id, valued
 * {@code expiresAt,heartbeatAt,connections,cpuLoad,wsUrl} (epoch millis of the writing node's clock; the URL last, so
 * that it may hold any character). Every {@code heartbeat} the node asks its load and writes its field again with
 * {@code expiresAt = now + ttl}, and resets the key's own expiry to {@code ttl}: readers skip fields whose time has
 * passed (and delete them with a conditional script, so that an entry renewed meanwhile stays), and a cluster whose
 * every node died leaves no key behind. After Redis lost its data the node writes its entry again as soon as its
 * connection comes back, and in any case at the next heartbeat.
 *
 * <p>Heartbeats run on the registry's own thread and are sent asynchronously; a failed write is logged and repaired
 * by the next heartbeat. A heartbeat and {@link #close} take one lock, and Redis runs one connection's commands in
 * order, so that a late heartbeat can never bring back the entry that {@link #close} removed.
 */
public final class RedisNodeRegistry implements NodeRegistry {
    private static final Logger log = LoggerFactory.getLogger(RedisNodeRegistry.class);
    /** Deletes the fields given whose expiry time (before the first comma) is still before ARGV[1]. */
    private static final String DELETE_EXPIRED = """
        local n = 0
        for i = 2, #ARGV do
          local v = redis.call('HGET', KEYS[1], ARGV[i])
          if v then
            local at = tonumber(string.match(v, '^(%d+),'))
            if at == nil or at < tonumber(ARGV[1]) then
              n = n + redis.call('HDEL', KEYS[1], ARGV[i])
            end
          end
        end
        return n""";

    private final RedisNodeRegistryConfig config;
    private final Clock clock;
    private final String key;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final ScheduledExecutorService heartbeats;
    private final reactor.core.Disposable reconnects;
    private final AtomicInteger failedWrites = new AtomicInteger();
    /** Guards {@link #closed} against a heartbeat writing after {@link #close} removed the entry. */
    private final Object writes = new Object();
    private volatile Announced self;
    /** This node's entry as last written (or about to be): {@link #nodes} lists it whatever Redis holds. */
    private volatile NodeInfo mine;
    private volatile boolean closed;

    private record Announced(int nodeId, String wsUrl, Supplier<NodeLoad> load) {
    }

    public RedisNodeRegistry(RedisNodeRegistryConfig config) {
        this(config, Clock.systemUTC());
    }

    RedisNodeRegistry(RedisNodeRegistryConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.key = config.keyPrefix() + "nodes";
        client = RedisSupport.client(config.uri(), config.timeout());
        heartbeats = RedisSupport.thread("parley-redis-nodes");
        try {
            connection = client.connect();
            redis = connection.async();
        } catch (RuntimeException e) {
            heartbeats.shutdownNow();
            client.shutdown();
            throw new StorageException(ErrorCode.UNAVAILABLE, "nodes: cannot connect to Redis at "
                + RedisSupport.redact(config.uri()) + ": " + e.getMessage(), e);
        }
        // after a reconnect Redis may have lost everything (restart without persistence): write the entry now
        reconnects = RedisSupport.onReconnect(client, () -> {
            if (!closed && self != null) {
                heartbeats.execute(this::heartbeat);
            }
        });
    }

    @Override
    public void announce(int nodeId, String wsUrl, Supplier<NodeLoad> load) {
        Objects.requireNonNull(wsUrl, "wsUrl");
        Objects.requireNonNull(load, "load");
        synchronized (writes) {
            if (closed || self != null) {
                throw new IllegalStateException(closed ? "nodes: registry closed"
                    : "nodes: node " + self.nodeId() + " is announced already");
            }
            self = new Announced(nodeId, wsUrl, load);
            mine = NodeInfo.of(nodeId, wsUrl, sample(load, new NodeLoad(0, 0)), clock.millis());
        }
        long every = config.heartbeat().toMillis();
        heartbeats.scheduleWithFixedDelay(this::heartbeat, 0, every, TimeUnit.MILLISECONDS);
    }

    @Override
    public List<NodeInfo> nodes() {
        Map<String, String> all;
        try {
            all = redis.hgetall(key).get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(ErrorCode.UNAVAILABLE, "nodes: interrupted while reading Redis", e);
        } catch (TimeoutException e) {
            throw new StorageException(ErrorCode.UNAVAILABLE, "nodes: Redis did not answer within "
                + config.timeout().toMillis() + " ms", e);
        } catch (ExecutionException | RuntimeException e) { // RedisException: disconnected, timeout
            Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
            throw new StorageException(ErrorCode.UNAVAILABLE, "nodes: reading Redis failed: " + cause.getMessage(),
                cause);
        }
        long now = clock.millis();
        Map<Integer, NodeInfo> live = new TreeMap<>();
        List<String> expired = new ArrayList<>();
        all.forEach((field, value) -> {
            NodeInfo n = parse(field, value, now);
            if (n == null) {
                expired.add(field);
            } else {
                live.put(n.nodeId(), n);
            }
        });
        if (!expired.isEmpty()) {
            deleteExpired(now, expired);
        }
        NodeInfo me = mine;
        if (me != null && !closed) {
            live.put(me.nodeId(), me); // our own freshest sample, even before (or without) Redis holding it
        }
        return List.copyOf(live.values());
    }

    @Override
    public Duration ttl() {
        return config.ttl();
    }

    /** Writes this node's entry with a fresh load and expiry time. */
    void heartbeat() {
        Announced a = self;
        if (a == null || closed) {
            return;
        }
        int failed = failedWrites.getAndSet(0);
        if (failed > 0) {
            log.warn("{} writes to Redis failed since the last heartbeat; announcing node {} again", failed,
                a.nodeId());
        }
        NodeInfo previous = mine;
        long now = clock.millis();
        NodeInfo info = NodeInfo.of(a.nodeId(), a.wsUrl(), sample(a.load(), previous.load()), now);
        synchronized (writes) {
            if (closed) {
                return;
            }
            mine = info;
            watch(redis.hset(key, Integer.toString(info.nodeId()), encode(info, now + config.ttl().toMillis())));
            watch(redis.pexpire(key, config.ttl().toMillis()));
        }
    }

    /** Stops heartbeating, removes this node's entry (waiting up to the timeout), then disconnects. */
    @Override
    public void close() {
        RedisFuture<Long> removed = null;
        synchronized (writes) {
            if (closed) {
                return;
            }
            closed = true;
            Announced a = self;
            if (a != null) {
                removed = redis.hdel(key, Integer.toString(a.nodeId()));
            }
        }
        heartbeats.shutdownNow();
        if (removed != null) {
            try {
                removed.get(config.timeout().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                log.warn("removing this node from Redis failed; other nodes drop it within {} ms",
                    config.ttl().toMillis(), e);
            }
        }
        disconnect();
    }

    /** Disconnects without removing anything, as a node that dies does (tests). */
    void crash() {
        synchronized (writes) {
            closed = true;
        }
        heartbeats.shutdownNow();
        disconnect();
    }

    private void disconnect() {
        reconnects.dispose();
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private static NodeLoad sample(Supplier<NodeLoad> load, NodeLoad last) {
        try {
            return Objects.requireNonNull(load.get(), "load");
        } catch (RuntimeException e) {
            log.debug("node load unavailable; announcing the last one", e);
            return last;
        }
    }

    private static String encode(NodeInfo n, long expiresAt) {
        return expiresAt + "," + n.heartbeatAt() + "," + n.connections() + "," + n.cpuLoad() + "," + n.wsUrl();
    }

    /** The live node of a field, or {@code null} when it expired or cannot be read. */
    private static NodeInfo parse(String field, String value, long now) {
        String[] p = value.split(",", 5);
        if (p.length != 5) {
            return null;
        }
        try {
            if (Long.parseLong(p[0]) < now) {
                return null;
            }
            return new NodeInfo(Integer.parseInt(field), p[4], Integer.parseInt(p[2]), Double.parseDouble(p[3]),
                Long.parseLong(p[1]));
        } catch (IllegalArgumentException e) { // NumberFormatException, or out of NodeInfo's bounds
            return null;
        }
    }

    private void deleteExpired(long now, List<String> fields) {
        String[] args = new String[fields.size() + 1];
        args[0] = Long.toString(now);
        for (int i = 0; i < fields.size(); i++) {
            args[i + 1] = fields.get(i);
        }
        watch(redis.eval(DELETE_EXPIRED, ScriptOutputType.INTEGER, new String[] {key}, args));
    }

    private void watch(RedisFuture<?> f) {
        f.exceptionally(e -> {
            if (failedWrites.getAndIncrement() == 0 && !closed) {
                log.warn("a write to Redis failed ({}); the next heartbeat announces this node again",
                    e.getMessage());
            }
            return null;
        });
    }

}
