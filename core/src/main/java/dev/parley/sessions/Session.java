package dev.parley.sessions;

import java.time.Duration;

/**
 * One authenticated connection of a device on this node. Implementations (the gateway's WebSocket session) MUST be
 * thread-safe and MUST NOT block in any method but {@link #awaitWritable}.
 *
 * <p>Delivery order: a session starts in <em>sync</em> mode, in which {@link #deliverBacklog} writes stored
 * messages and {@link #deliverLive} holds live ones back; {@link #finishSync} writes the held-back messages that the
 * backlog did not already contain, then {@code synced}. From then on live messages are written at once. A message
 * with a {@code seq} at or below the highest one written for its conversation is never written twice.
 */
public interface Session {
    long userId();

    long deviceId();

    /** A unique id of this connection (one device may briefly have two while it reconnects). */
    long connectionId();

    /** Writes a message from the store during sync. */
    void deliverBacklog(OutboundFrame frame, long conversationId, long seq);

    /** Writes a live message (or holds it back while syncing). */
    void deliverLive(OutboundFrame frame, long conversationId, long seq);

    /** Ends sync mode: writes held-back live messages, then {@code synced}. */
    void finishSync();

    /** Writes any other frame (answers, errors, {@code synced}). */
    void send(OutboundFrame frame);

    /**
     * Writes a frame that may be shed under overload (receipts, presence, typing): when the connection's outbound
     * queue is backed up, it is dropped and counted rather than queued, so that messages go first. Receipts are
     * cumulative and replayed on reconnect, presence is sent again on the next change, typing is ephemeral.
     */
    default void sendSheddable(OutboundFrame frame) {
        send(frame);
    }

    /** Blocks (a virtual thread) until the connection can take more writes, or the timeout passes. */
    boolean awaitWritable(Duration timeout) throws InterruptedException;

    /** Whether the connection is still open. */
    boolean isOpen();

    /** Closes the connection with a WebSocket close code. */
    void close(int code, String reason);
}
