package dev.parley.client;

import dev.parley.protocol.ServerFrame;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Options of one {@link ParleyConnection}. Start from {@link #defaults()} and change what you need:
 *
 * <pre>{@code
 * ParleyConnection conn = client.connect(token, ConnectOptions.defaults().withAutoAck(true)).join();
 * }</pre>
 *
 * @param handshakeTimeout how long {@link ParleyClient#connect} may take, from TCP connect to {@code ready}
 * @param closeTimeout     how long {@link ParleyConnection#close()} waits for the server's Close before aborting
 * @param pingInterval     how often to send a heartbeat {@code ping}; {@code null} for never (then the server's
 *                         idle timeout closes a silent connection with 4410, and a dropped TCP connection may go
 *                         unnoticed until the next write)
 * @param pongTimeout      how long a heartbeat may wait for its {@code pong} before the connection is considered
 *                         dead and aborted (closing with 1006)
 * @param autoAck          answer every received {@code message} with a (cumulative, coalesced) {@code delivered}
 * @param recordInbox      keep every frame received after {@code ready} in {@link ParleyConnection#inbox()}; turn
 *                         off for long-running load where nobody drains it (the {@code await*} helpers then
 *                         refuse to run)
 * @param recordRawFrames  also keep the raw JSON text of every frame in {@link ParleyConnection#rawFrames()}, for
 *                         assertions on the exact wire format
 * @param listener         called for every frame received after {@code ready}, on the connection's I/O thread:
 *                         it must not block; {@code null} for none
 * @param tracker          the tracker to record {@code message} frames into; {@code null} for a new one per
 *                         connection
 */
public record ConnectOptions(Duration handshakeTimeout, Duration closeTimeout, Duration pingInterval,
                             Duration pongTimeout, boolean autoAck, boolean recordInbox, boolean recordRawFrames,
                             Consumer<? super ServerFrame> listener, MessageTracker tracker) {
    /** Default {@link #handshakeTimeout()}: 10 seconds. */
    public static final Duration DEFAULT_HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /** Default {@link #closeTimeout()}: 5 seconds. */
    public static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Default {@link #pingInterval()}: 20 seconds. */
    public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(20);
    /** Default {@link #pongTimeout()}: 10 seconds. */
    public static final Duration DEFAULT_PONG_TIMEOUT = Duration.ofSeconds(10);

    /** Checks the durations. */
    public ConnectOptions {
        requirePositive("handshakeTimeout", handshakeTimeout);
        requirePositive("closeTimeout", closeTimeout);
        requirePositive("pongTimeout", pongTimeout);
        if (pingInterval != null) {
            requirePositive("pingInterval", pingInterval);
        }
    }

    private static void requirePositive(String name, Duration d) {
        Objects.requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + ": " + d + " (expected: > 0)");
        }
    }

    /** Default timeouts and heartbeat, no auto-ack, inbox on, raw frames off, no listener, a tracker each. */
    public static ConnectOptions defaults() {
        return new ConnectOptions(DEFAULT_HANDSHAKE_TIMEOUT, DEFAULT_CLOSE_TIMEOUT, DEFAULT_PING_INTERVAL,
            DEFAULT_PONG_TIMEOUT, false, true, false, null, null);
    }

    /** A copy with another {@link #handshakeTimeout()}. */
    public ConnectOptions withHandshakeTimeout(Duration timeout) {
        return new ConnectOptions(timeout, closeTimeout, pingInterval, pongTimeout, autoAck, recordInbox,
            recordRawFrames, listener, tracker);
    }

    /** A copy with another {@link #closeTimeout()}. */
    public ConnectOptions withCloseTimeout(Duration timeout) {
        return new ConnectOptions(handshakeTimeout, timeout, pingInterval, pongTimeout, autoAck, recordInbox,
            recordRawFrames, listener, tracker);
    }

    /** A copy with another heartbeat: {@code interval} ({@code null} for none) and {@code pongWait}. */
    public ConnectOptions withHeartbeat(Duration interval, Duration pongWait) {
        return new ConnectOptions(handshakeTimeout, closeTimeout, interval, pongWait, autoAck, recordInbox,
            recordRawFrames, listener, tracker);
    }

    /** A copy without heartbeat, e.g. to test the server's idle timeout. */
    public ConnectOptions withoutHeartbeat() {
        return withHeartbeat(null, pongTimeout);
    }

    /** A copy with {@link #autoAck()} set. */
    public ConnectOptions withAutoAck(boolean enabled) {
        return new ConnectOptions(handshakeTimeout, closeTimeout, pingInterval, pongTimeout, enabled, recordInbox,
            recordRawFrames, listener, tracker);
    }

    /** A copy with {@link #recordInbox()} set. */
    public ConnectOptions withRecordInbox(boolean enabled) {
        return new ConnectOptions(handshakeTimeout, closeTimeout, pingInterval, pongTimeout, autoAck, enabled,
            recordRawFrames, listener, tracker);
    }

    /** A copy with {@link #recordRawFrames()} set. */
    public ConnectOptions withRecordRawFrames(boolean enabled) {
        return new ConnectOptions(handshakeTimeout, closeTimeout, pingInterval, pongTimeout, autoAck, recordInbox,
            enabled, listener, tracker);
    }

    /** A copy with another {@link #listener()} ({@code null} for none). */
    public ConnectOptions withListener(Consumer<? super ServerFrame> frameListener) {
        return new ConnectOptions(handshakeTimeout, closeTimeout, pingInterval, pongTimeout, autoAck, recordInbox,
            recordRawFrames, frameListener, tracker);
    }

    /** A copy recording into {@code sharedTracker} ({@code null} for a new one per connection). */
    public ConnectOptions withTracker(MessageTracker sharedTracker) {
        return new ConnectOptions(handshakeTimeout, closeTimeout, pingInterval, pongTimeout, autoAck, recordInbox,
            recordRawFrames, listener, sharedTracker);
    }
}
