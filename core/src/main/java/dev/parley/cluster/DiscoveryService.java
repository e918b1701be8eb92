package dev.parley.cluster;

import dev.parley.core.ParleyException;
import dev.parley.protocol.ErrorCode;
import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Announces this node in the {@link NodeRegistry} and answers {@code GET /v1/discovery}: which node a client should
 * connect to.
 *
 * <p>The choice: the live node with the lowest estimated load. A node that has not heartbeated for half the
 * registry's TTL (it may have died: the registry drops it only after the whole TTL) is chosen only when every node is
 * in that state; so is a node whose CPU load is at {@link #OVERLOADED_CPU} or more. Among the others, the one with
 * the fewest
 * connections wins, counting as connections the clients this node has already sent to it since its last heartbeat
 * (its own count only grows at its next heartbeat: without this, every client of a crashed node asking within one
 * heartbeat would be sent to the same node). Equal counts go to the lower CPU load, then to the lower node id.
 *
 * <p>When the registry fails (Redis down), this node answers itself: a client that can reach this node can reach
 * its WebSocket, and a discovery that fails would leave it with nowhere to go.
 */
public final class DiscoveryService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(DiscoveryService.class);
    /** CPU load at and above which a node counts as overloaded. */
    public static final double OVERLOADED_CPU = 0.9;
    /** At most one warning about a failing registry per this many milliseconds. */
    private static final long WARN_EVERY_MILLIS = 60_000;

    private final NodeRegistry registry;
    private final int nodeId;
    private final IntSupplier connections;
    private final DoubleSupplier cpuLoad;
    private final Clock clock;
    /** Per node id: clients sent there since the heartbeat that {@link Sent#heartbeatAt} names. */
    private final Map<Integer, Sent> sent = new HashMap<>();
    private volatile String wsUrl;
    private volatile boolean urlConfigured;
    private volatile long lastWarning = Long.MIN_VALUE;

    private record Sent(long heartbeatAt, int count) {
    }

    /**
     * The answer to a discovery.
     *
     * @param node         the node to connect to
     * @param ranked       every live node, best first ({@code node} first)
     * @param fromRegistry {@code false} when the registry failed and this node answered itself
     */
    public record Choice(NodeInfo node, List<NodeInfo> ranked, boolean fromRegistry) {
    }

    /**
     * @param connections this node's open WebSocket connections
     * @param cpuLoad     this machine's CPU load, 0.0 to 1.0 (see {@link #systemCpuLoad})
     */
    public DiscoveryService(NodeRegistry registry, int nodeId, IntSupplier connections, DoubleSupplier cpuLoad,
                            Clock clock) {
        this.registry = registry;
        this.nodeId = nodeId;
        this.connections = connections;
        this.cpuLoad = cpuLoad;
        this.clock = clock;
    }

    /**
     * Starts announcing this node, once its gateway listens.
     *
     * @param url        this node's public WebSocket URL
     * @param configured whether {@code url} was configured ({@code server.publicUrl}) rather than derived from the
     *                   bound address
     */
    public void announce(String url, boolean configured) {
        URI u = URI.create(url);
        if (!"ws".equals(u.getScheme()) && !"wss".equals(u.getScheme()) || u.getHost() == null) {
            throw new IllegalArgumentException("server.publicUrl: \"" + url
                + "\" (expected: ws://host:port/v1/ws or wss://host/v1/ws)");
        }
        if (!configured && registry.connectsNodes() && "localhost".equals(u.getHost())) {
            log.warn("server.publicUrl is not set: other nodes will send clients to {}, which only this machine "
                + "reaches; set server.publicUrl to the URL clients use for this node", url);
        }
        this.wsUrl = url;
        this.urlConfigured = configured;
        registry.announce(nodeId, url, this::load);
    }

    /** This node's load now. */
    public NodeLoad load() {
        double cpu = cpuLoad.getAsDouble();
        cpu = cpu >= 0 ? Math.min(cpu, 1) : 0; // NaN and the JVM's -1 (unknown) count as idle
        return new NodeLoad(Math.max(0, connections.getAsInt()), cpu);
    }

    public int nodeId() {
        return nodeId;
    }

    /** Whether this node's URL was configured; when it was derived, the gateway may prefer the request's Host. */
    public boolean urlConfigured() {
        return urlConfigured;
    }

    /**
     * The node a client should connect to, and every live node best first. Blocks for the registry (never call it
     * on an event loop).
     *
     * @throws ParleyException {@code UNAVAILABLE} before this node announced itself
     */
    public Choice choose() {
        String url = wsUrl;
        if (url == null) {
            throw new ParleyException(ErrorCode.UNAVAILABLE, "discovery: this node is still starting");
        }
        List<NodeInfo> nodes;
        boolean fromRegistry = true;
        try {
            nodes = registry.nodes();
        } catch (RuntimeException e) {
            long at = clock.millis();
            if (at - lastWarning >= WARN_EVERY_MILLIS) {
                lastWarning = at;
                log.warn("discovery: the node registry failed ({}); answering this node until it is back",
                    e.getMessage());
            }
            nodes = List.of();
            fromRegistry = false;
        }
        if (nodes.isEmpty()) {
            nodes = List.of(NodeInfo.of(nodeId, url, load(), clock.millis()));
        }
        long now = clock.millis();
        long staleAfter = registry.ttl().toMillis() / 2;
        synchronized (sent) {
            List<NodeInfo> ranked = new ArrayList<>(nodes);
            Map<Integer, Integer> estimate = new HashMap<>();
            for (NodeInfo n : nodes) {
                Sent s = sent.get(n.nodeId());
                int pending = s != null && s.heartbeatAt() == n.heartbeatAt() ? s.count() : 0;
                estimate.put(n.nodeId(), n.connections() + pending);
            }
            ranked.sort(Comparator.<NodeInfo>comparingInt(n -> staleAfter > 0 && now - n.heartbeatAt() > staleAfter ? 1 : 0)
                .thenComparingInt(n -> n.cpuLoad() >= OVERLOADED_CPU ? 1 : 0)
                .thenComparingInt(n -> estimate.get(n.nodeId()))
                .thenComparingDouble(NodeInfo::cpuLoad)
                .thenComparingInt(NodeInfo::nodeId));
            NodeInfo best = ranked.get(0);
            Sent before = sent.get(best.nodeId());
            sent.put(best.nodeId(), new Sent(best.heartbeatAt(),
                before != null && before.heartbeatAt() == best.heartbeatAt() ? before.count() + 1 : 1));
            if (sent.size() > 4 * nodes.size() + 16) { // nodes that left: forget them
                sent.keySet().retainAll(estimate.keySet());
            }
            return new Choice(best, List.copyOf(ranked), fromRegistry);
        }
    }

    /**
     * The CPU load of this machine (or container) since the previous call, 0.0 to 1.0; the process's own load where
     * the JVM cannot tell the machine's; 0 when neither is known.
     */
    public static double systemCpuLoad() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            double load = sun.getCpuLoad();
            if (!(load >= 0)) {
                load = sun.getProcessCpuLoad();
            }
            return load >= 0 ? Math.min(load, 1) : 0;
        }
        return 0;
    }

    /** Leaves the registry: other nodes stop sending clients here. */
    @Override
    public void close() {
        registry.close();
    }
}
