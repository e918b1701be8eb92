package dev.parley.client.internal;

import dev.parley.protocol.ClientFrame;
import dev.parley.protocol.FrameCodec;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * Answers received messages with cumulative {@code delivered} frames. Per conversation at most one ack waits in
 * the outbound queue, and it reads the highest {@code seq} seen when its turn comes: a burst of messages behind a
 * slow write costs one ack, and an ack is never sent twice for the same {@code seq}.
 */
public final class AutoAcker {
    private final Map<String, State> states = new ConcurrentHashMap<>();
    private final OutboundQueue outbound;
    private final Function<String, ? extends CompletionStage<?>> write;
    private volatile boolean enabled;

    private static final class State {
        volatile long seen;
        volatile long acked;
        final AtomicBoolean scheduled = new AtomicBoolean();
    }

    /**
     * @param outbound the connection's write queue
     * @param write    writes one text frame (called from the queue, in turn)
     */
    public AutoAcker(OutboundQueue outbound, Function<String, ? extends CompletionStage<?>> write, boolean enabled) {
        this.outbound = outbound;
        this.write = write;
        this.enabled = enabled;
    }

    /** Notes a received message, and acknowledges it when enabled. Called by the (single) reader thread. */
    public void received(String conversationId, long seq) {
        State state = states.computeIfAbsent(conversationId, k -> new State());
        state.seen = Math.max(state.seen, seq);
        if (enabled) {
            schedule(conversationId, state);
        }
    }

    /** Turns acknowledging on or off; turning it on acknowledges what arrived unacknowledged so far. */
    public void setEnabled(boolean on) {
        enabled = on;
        if (on) {
            // Together with the volatile reads in received(), no message slips between the two.
            states.forEach(this::schedule);
        }
    }

    /** Whether acknowledging is on. */
    public boolean isEnabled() {
        return enabled;
    }

    private void schedule(String conversationId, State state) {
        if (!state.scheduled.compareAndSet(false, true)) {
            return;
        }
        outbound.submit(() -> {
            state.scheduled.set(false);
            long seq = state.seen;
            if (seq <= state.acked) {
                return null;
            }
            state.acked = seq;
            return write.apply(FrameCodec.INSTANCE.encode(new ClientFrame.Delivered(conversationId, seq)));
        });
    }
}
