package dev.parley.cluster;

import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The live nodes of a cluster, with their public WebSocket URL and load: what {@code GET /v1/discovery} chooses
 * from. Each node announces itself once and then heartbeats; a node that stops heartbeating drops out by itself.
 *
 * <p>Contract, checked by {@code NodeRegistryContract} in {@code testkit}:
 * <ul>
 *   <li>Thread-safe. {@link #announce} MUST NOT block: it returns at once, and the registry writes the node's
 *       entry on its own thread, then again at every heartbeat (a networked implementation heartbeats well within
 *       its {@link #ttl}), each time with a fresh load from the supplier and a fresh {@code heartbeatAt}.</li>
 *   <li>The load supplier is called once by {@link #announce}, then on the registry's thread at every heartbeat (or,
 *       by an implementation without one, on the thread of {@link #nodes}); it MUST be cheap and MUST NOT block. When it throws, the registry keeps announcing the
 *       last load it got (no load yet: zero) and keeps heartbeating.</li>
 *   <li>{@link #nodes} lists every live node once (one entry per node id), in no particular order; this node is in
 *       it from {@link #announce} on, even before its entry reached the service. It MAY block (never call it on an
 *       event loop) up to the implementation's timeout; a failure of the service is a
 *       {@link dev.parley.core.StorageException} with {@code UNAVAILABLE}.</li>
 *   <li>The entry of a node that stops heartbeating without {@link #close} (crash, network loss) disappears from
 *       every other node's {@link #nodes} within {@link #ttl}. {@link #close} stops the heartbeats and removes this
 *       node's entry before it returns (waiting for the service at most its timeout); it is idempotent.</li>
 *   <li>After the service lost its data (a restart without persistence), every live node's entry is back within
 *       one heartbeat of the service answering again.</li>
 * </ul>
 */
public interface NodeRegistry extends AutoCloseable {

    /** Whether other nodes can be seen at all; {@code false} for a single node, which lists only itself. */
    default boolean connectsNodes() {
        return true;
    }

    /**
     * Starts announcing this node: its id, its public WebSocket URL, and its load as {@code load} tells at each
     * heartbeat. Returns at once.
     *
     * @throws IllegalStateException when this registry announced a node already, or is closed
     */
    void announce(int nodeId, String wsUrl, Supplier<NodeLoad> load);

    /** Every live node, this one included once announced. May block; never call it on an event loop. */
    List<NodeInfo> nodes();

    /** How long the entry of a node that stopped heartbeating may still be listed, at most. */
    Duration ttl();

    /** Stops heartbeating and removes this node's entry. */
    @Override
    default void close() {
    }
}
