package dev.parley.sessions.redis;

import dev.parley.core.StorageException;
import dev.parley.protocol.ErrorCode;
import dev.parley.redis.RedisSupport;
import dev.parley.sessions.PresenceChange;
import dev.parley.sessions.SessionEntry;
import dev.parley.sessions.SessionRegistry;
import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The cluster-wide {@link dev.parley.sessions.SessionRegistry} in Redis.
 *
 * <p>Layout: one hash per user, {@code <prefix>sessions:<userId>}, with one field per connection,
 * {@code <deviceId>:<connectionId>:<nodeId>}, whose value is the time (epoch millis, the writing node's clock) after
 * which the entry no longer counts. The node that holds a connection writes its field again every
 * {@code refresh}, pushing the time {@code ttl} ahead, and resets the key's own expiry to {@code ttl}; so the
 * entries of a node that died fade within {@code ttl} (readers skip fields whose time has passed and delete them),
 * and a user whose every node died leaves no key behind. After Redis lost its data (restart without persistence,
 * fail-over) every node writes its entries again at once when its connection comes back, and in any case at the
 * next refresh.
 *
 * <p>All writes of a node go through one connection, in the order they were made (a refresh takes a lock that
 * {@link #register} and {@link #unregister} take too), so that a refresh can never bring back an entry unregistered
 * after it. Writes are asynchronous and never block the caller; a failed write is logged and repaired by the next
 * refresh. Reads wait up to {@code timeout}.
 *
 * <p>Presence changes are published on the channel {@code <prefix>presence} as {@code userId,online,lastSeen,nodeId}
 * and received on a second (pub/sub) connection, which Lettuce subscribes again after a reconnect. Pub/sub is
 * fire-and-forget: a change published while a node is cut off from Redis does not reach it.
 */
public final class RedisSessionRegistry implements SessionRegistry {
    private static final Logger log = LoggerFactory.getLogger(RedisSessionRegistry.class);
    /** Deletes the fields given whose expiry time is still before ARGV[1] (a refresh may have renewed them). */
    private static final String DELETE_EXPIRED = """
        local n = 0
        for i = 2, #ARGV do
          local v = redis.call('HGET', KEYS[1], ARGV[i])
          if v and tonumber(v) < tonumber(ARGV[1]) then
            n = n + redis.call('HDEL', KEYS[1], ARGV[i])
          end
        end
        return n""";

    private final RedisSessionRegistryConfig config;
    private final Clock clock;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> pubSub;
    private final String presenceChannel;
    private final ScheduledExecutorService refresher;
    /** This node's entries: what a refresh writes again. Changed only under {@link #writes}. */
    private final Set<SessionEntry> local = ConcurrentHashMap.newKeySet();
    private final Object writes = new Object();
    private final List<Consumer<PresenceChange>> listeners = new CopyOnWriteArrayList<>();
    private final AtomicInteger failedWrites = new AtomicInteger();
    private final reactor.core.Disposable reconnects;
    private volatile boolean closed;

    public RedisSessionRegistry(RedisSessionRegistryConfig config) {
        this(config, Clock.systemUTC());
    }

    RedisSessionRegistry(RedisSessionRegistryConfig config, Clock clock) {
        this.config = config;
        this.clock = clock;
        this.presenceChannel = config.keyPrefix() + "presence";
        client = RedisSupport.client(config.uri(), config.timeout());
        refresher = RedisSupport.thread("parley-redis-sessions");
        try {
            connection = client.connect();
            redis = connection.async();
            pubSub = client.connectPubSub();
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String channel, String message) {
                    if (presenceChannel.equals(channel)) {
                        received(message);
                    }
                }
            });
            pubSub.sync().subscribe(presenceChannel);
        } catch (RuntimeException e) {
            refresher.shutdownNow();
            client.shutdown();
            throw new StorageException(ErrorCode.UNAVAILABLE, "sessions: cannot connect to Redis at "
                + RedisSupport.redact(config.uri()) + ": " + e.getMessage(), e);
        }
        long every = config.refresh().toMillis();
        refresher.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
        // after a reconnect Redis may have lost everything (restart without persistence): write our entries again now
        reconnects = RedisSupport.onReconnect(client, () -> {
            if (!closed) {
                refresher.execute(this::refresh);
            }
        });
    }

    @Override
    public void register(SessionEntry entry) {
        synchronized (writes) {
            local.add(entry);
            String key = key(entry.userId());
            watch(redis.hset(key, field(entry), Long.toString(expiry())));
            watch(redis.pexpire(key, config.ttl().toMillis()));
        }
    }

    @Override
    public void unregister(SessionEntry entry) {
        synchronized (writes) {
            local.remove(entry);
            watch(redis.hdel(key(entry.userId()), field(entry)));
        }
    }

    @Override
    public List<SessionEntry> sessionsOf(long userId) {
        return sessionsOf(List.of(userId)).getOrDefault(userId, List.of());
    }

    @Override
    public Map<Long, List<SessionEntry>> sessionsOf(Collection<Long> userIds) {
        if (userIds.isEmpty()) {
            return Map.of();
        }
        Map<Long, RedisFuture<Map<String, String>>> pending = new HashMap<>();
        for (long u : userIds) {
            pending.computeIfAbsent(u, k -> redis.hgetall(key(k)));
        }
        try {
            if (!LettuceFutures.awaitAll(config.timeout(), pending.values().toArray(new RedisFuture<?>[0]))) {
                throw new StorageException(ErrorCode.UNAVAILABLE, "sessions: Redis did not answer within "
                    + config.timeout().toMillis() + " ms", null);
            }
            long now = clock.millis();
            Map<Long, List<SessionEntry>> found = new HashMap<>();
            for (var e : pending.entrySet()) {
                List<SessionEntry> live = new ArrayList<>();
                List<String> expired = new ArrayList<>();
                e.getValue().get().forEach((field, until) -> {
                    SessionEntry s = parse(e.getKey(), field);
                    if (s == null || parseLong(until) < now) {
                        expired.add(field);
                    } else {
                        live.add(s);
                    }
                });
                if (!live.isEmpty()) {
                    found.put(e.getKey(), List.copyOf(live));
                }
                if (!expired.isEmpty()) {
                    deleteExpired(e.getKey(), now, expired);
                }
            }
            return found;
        } catch (StorageException e) {
            throw e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(ErrorCode.UNAVAILABLE, "sessions: interrupted while reading Redis", e);
        } catch (Exception e) { // ExecutionException, RedisException (disconnected, timeout)
            Throwable cause = e instanceof java.util.concurrent.ExecutionException ? e.getCause() : e;
            throw new StorageException(ErrorCode.UNAVAILABLE, "sessions: reading Redis failed: "
                + cause.getMessage(), cause);
        }
    }

    @Override
    public void publishPresence(PresenceChange c) {
        String message = c.userId() + "," + (c.online() ? 1 : 0) + "," + c.lastSeen() + "," + c.nodeId()
            + (c.isPrivacyChange() ? "," + c.privacy() : "");
        watch(redis.publish(presenceChannel, message));
    }

    @Override
    public AutoCloseable onPresence(Consumer<PresenceChange> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** Writes every entry of this node again with a fresh expiry time. */
    void refresh() {
        if (closed) {
            return;
        }
        int failed = failedWrites.getAndSet(0);
        if (failed > 0) {
            log.warn("{} writes to Redis failed since the last refresh; writing this node's {} sessions again",
                failed, local.size());
        }
        String until = Long.toString(expiry());
        synchronized (writes) {
            Map<Long, Map<String, String>> byUser = new HashMap<>();
            for (SessionEntry e : local) {
                byUser.computeIfAbsent(e.userId(), k -> new HashMap<>()).put(field(e), until);
            }
            for (var e : byUser.entrySet()) {
                String key = key(e.getKey());
                watch(redis.hset(key, e.getValue()));
                watch(redis.pexpire(key, config.ttl().toMillis()));
            }
        }
    }

    /** Removes this node's entries, then disconnects. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        refresher.shutdownNow();
        List<RedisFuture<?>> deletes = new ArrayList<>();
        synchronized (writes) {
            for (SessionEntry e : local) {
                deletes.add(redis.hdel(key(e.userId()), field(e)));
            }
            local.clear();
        }
        try {
            LettuceFutures.awaitAll(config.timeout(), deletes.toArray(new RedisFuture<?>[0]));
        } catch (RuntimeException e) {
            log.warn("removing this node's sessions from Redis failed; they expire within {} s",
                config.ttl().toSeconds(), e);
        }
        disconnect();
    }

    /** Disconnects without removing anything, as a node that dies does (tests). */
    void crash() {
        closed = true;
        refresher.shutdownNow();
        disconnect();
    }

    private void disconnect() {
        reconnects.dispose();
        listeners.clear();
        pubSub.close();
        connection.close();
        client.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void received(String message) {
        String[] p = message.split(",", -1);
        PresenceChange change;
        try {
            change = new PresenceChange(Long.parseLong(p[0]), p[1].equals("1"), Long.parseLong(p[2]),
                Integer.parseInt(p[3]), p.length > 4 ? p[4] : null);
        } catch (RuntimeException e) {
            log.warn("ignoring a malformed presence message on {}: {}", presenceChannel, message);
            return;
        }
        for (Consumer<PresenceChange> l : listeners) {
            try {
                l.accept(change);
            } catch (RuntimeException e) {
                log.warn("a presence listener failed", e);
            }
        }
    }

    private void deleteExpired(long userId, long now, List<String> fields) {
        String[] args = new String[fields.size() + 1];
        args[0] = Long.toString(now);
        for (int i = 0; i < fields.size(); i++) {
            args[i + 1] = fields.get(i);
        }
        watch(redis.eval(DELETE_EXPIRED, ScriptOutputType.INTEGER, new String[] {key(userId)}, args));
    }

    private void watch(RedisFuture<?> f) {
        f.exceptionally(e -> {
            if (failedWrites.getAndIncrement() == 0 && !closed) {
                log.warn("a write to Redis failed ({}); the next refresh writes this node's sessions again",
                    e.getMessage());
            }
            return null;
        });
    }

    private long expiry() {
        return clock.millis() + config.ttl().toMillis();
    }

    private String key(long userId) {
        return config.keyPrefix() + "sessions:" + userId;
    }

    private static String field(SessionEntry e) {
        return e.deviceId() + ":" + e.connectionId() + ":" + e.nodeId();
    }

    private static SessionEntry parse(long userId, String field) {
        String[] p = field.split(":", -1);
        if (p.length != 3) {
            return null;
        }
        try {
            return new SessionEntry(userId, Long.parseLong(p[0]), Long.parseLong(p[1]), Integer.parseInt(p[2]));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

}
