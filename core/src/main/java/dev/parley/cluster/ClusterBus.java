package dev.parley.cluster;

import java.util.function.Consumer;

/**
 * Carries events between the nodes of a cluster: new messages for devices connected elsewhere, receipts, typing,
 * membership and device changes. Every node subscribes to every event (the bus is a broadcast, keyed for order);
 * the payload is opaque to the bus and names its origin node, so a node skips its own.
 *
 * <p>Contract, checked by {@code ClusterBusContract} in {@code testkit}:
 * <ul>
 *   <li>{@link #publish} MUST NOT block (it is called on event loops and store threads): a networked
 *       implementation hands the event to its own sending thread or client buffer.</li>
 *   <li>Every event published after a subscription's {@link #subscribe} returned reaches that subscription's
 *       handler at least once, on every node, the publisher's own included; a repeat is possible after a failure
 *       (receivers de-duplicate).</li>
 *   <li>Events of one publisher with the same {@code key} reach every handler in publish order.</li>
 *   <li>A subscription starts at the bus's current end: events published before {@link #subscribe} returned are
 *       not delivered to it (a node that restarts does not replay old events to new connections; those read the
 *       store).</li>
 *   <li>The handler runs on a thread of the bus, one event at a time; it may block briefly (a directory read) but
 *       delays every later event while it does.</li>
 *   <li>A service outage (broker restart) delays events but does not lose them, within the implementation's
 *       documented retry window; delivery resumes by itself.</li>
 * </ul>
 */
public interface ClusterBus extends AutoCloseable {

    /** Whether other nodes can be reached at all; {@code false} for a single node, which then publishes nothing. */
    default boolean connectsNodes() {
        return true;
    }

    /** Sends {@code event} to every subscription on every node; never blocks. The array MUST NOT be modified. */
    void publish(long key, byte[] event);

    /** Starts calling {@code handler} for every event published from now on; closing the handle stops it. */
    AutoCloseable subscribe(Consumer<byte[]> handler);

    @Override
    default void close() {
    }
}
