package dev.parley.cluster;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bus between nodes in one JVM ({@code bus.type: memory}): buses created with the same {@code bus.name} share one
 * hub. For tests and demonstrations of several nodes in one process; each subscription has its own delivery thread,
 * so a slow handler delays only its own node.
 */
public final class InMemoryClusterBus implements ClusterBus {
    private static final Logger log = LoggerFactory.getLogger(InMemoryClusterBus.class);
    private static final Map<String, List<Subscription>> HUBS = new ConcurrentHashMap<>();

    private final List<Subscription> hub;
    private final List<Subscription> mine = new CopyOnWriteArrayList<>();

    public InMemoryClusterBus(String name) {
        this.hub = HUBS.computeIfAbsent(name, n -> new CopyOnWriteArrayList<>());
    }

    /** Hands the event to every subscription's thread; the caller's lock makes publish order the delivery order. */
    @Override
    public synchronized void publish(long key, byte[] event) {
        for (Subscription s : hub) {
            s.offer(event);
        }
    }

    @Override
    public AutoCloseable subscribe(Consumer<byte[]> handler) {
        Subscription s = new Subscription(handler);
        hub.add(s);
        mine.add(s);
        return () -> {
            hub.remove(s);
            mine.remove(s);
            s.close();
        };
    }

    @Override
    public void close() {
        for (Subscription s : mine) {
            hub.remove(s);
            s.close();
        }
        mine.clear();
    }

    private static final class Subscription {
        private final Consumer<byte[]> handler;
        private volatile boolean closed;
        private final ExecutorService thread = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "parley-bus-memory");
            t.setDaemon(true);
            return t;
        });

        Subscription(Consumer<byte[]> handler) {
            this.handler = handler;
        }

        void offer(byte[] event) {
            try {
                thread.execute(() -> deliver(event));
            } catch (RejectedExecutionException closed) {
                // the subscription closed meanwhile: it wants nothing more
            }
        }

        private void deliver(byte[] event) {
            // events queued behind the one running when the subscription closed are not delivered
            if (closed) {
                return;
            }
            try {
                handler.accept(event);
            } catch (RuntimeException e) {
                // one bad event must not end the node's delivery
                log.warn("cluster bus handler failed; the event is skipped", e);
            }
        }

        void close() {
            closed = true;
            thread.shutdown();
        }
    }

    /** {@code bus.type: memory}, with {@code bus.name} naming the shared hub (default {@code default}). */
    public static final class Provider implements ClusterBusProvider {
        @Override
        public String type() {
            return "memory";
        }

        @Override
        public ClusterBus create(BackendConfig config, Resources resources) {
            return new InMemoryClusterBus(config.get("name", "default"));
        }
    }
}
