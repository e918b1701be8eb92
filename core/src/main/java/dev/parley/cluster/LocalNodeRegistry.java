package dev.parley.cluster;

import dev.parley.core.BackendConfig;
import dev.parley.core.Resources;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry of a single node ({@code nodes.type: local}): it knows only itself, so it keeps no state to refresh;
 * {@link #nodes} asks the load supplier on the caller's thread and stamps the entry with the current time.
 */
public final class LocalNodeRegistry implements NodeRegistry {
    private static final Logger log = LoggerFactory.getLogger(LocalNodeRegistry.class);

    private final Clock clock;
    private volatile Self self;
    private volatile NodeLoad last = new NodeLoad(0, 0);
    private volatile boolean closed;

    private record Self(int nodeId, String wsUrl, Supplier<NodeLoad> load) {
    }

    public LocalNodeRegistry(Clock clock) {
        this.clock = clock;
    }

    @Override
    public boolean connectsNodes() {
        return false;
    }

    @Override
    public synchronized void announce(int nodeId, String wsUrl, Supplier<NodeLoad> load) {
        if (closed || self != null) {
            throw new IllegalStateException(closed ? "node registry: closed"
                : "node registry: node " + self.nodeId() + " is announced already");
        }
        self = new Self(nodeId, wsUrl, load);
    }

    @Override
    public List<NodeInfo> nodes() {
        Self s = self;
        if (s == null || closed) {
            return List.of();
        }
        NodeLoad load;
        try {
            load = java.util.Objects.requireNonNull(s.load().get(), "load");
            last = load;
        } catch (RuntimeException e) {
            log.debug("node load unavailable; announcing the last one", e);
            load = last;
        }
        return List.of(NodeInfo.of(s.nodeId(), s.wsUrl(), load, clock.millis()));
    }

    /** Nothing expires here: the only node is this one, alive while it answers. */
    @Override
    public Duration ttl() {
        return Duration.ZERO;
    }

    @Override
    public void close() {
        closed = true;
    }

    /** {@code nodes.type: local}. */
    public static final class Provider implements NodeRegistryProvider {
        @Override
        public String type() {
            return "local";
        }

        @Override
        public NodeRegistry create(BackendConfig config, Resources resources) {
            return new LocalNodeRegistry(resources.clock());
        }
    }
}
