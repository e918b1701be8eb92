package dev.parley.core;

import java.time.Clock;

/**
 * Snowflake-style 64-bit ids: {@code [41 bits ms since 2025-01-01][10 bits node id][12 bits sequence]}.
 * Unique across up to 1024 nodes, roughly ordered by time, positive. Thread-safe.
 */
public final class IdGenerator {
    /** 2025-01-01T00:00:00Z: ids stay positive until about 2094. */
    public static final long EPOCH_MS = 1_735_689_600_000L;
    public static final int NODE_BITS = 10;
    public static final int SEQUENCE_BITS = 12;
    public static final int MAX_NODE_ID = (1 << NODE_BITS) - 1;
    private static final long SEQUENCE_MASK = (1L << SEQUENCE_BITS) - 1;

    private final Clock clock;
    private final long nodeBits;
    private long lastMs = -1;
    private long sequence;

    public IdGenerator(int nodeId, Clock clock) {
        if (nodeId < 0 || nodeId > MAX_NODE_ID) {
            throw new IllegalArgumentException("nodeId: " + nodeId + " (expected: 0.." + MAX_NODE_ID + ")");
        }
        this.clock = clock;
        this.nodeBits = (long) nodeId << SEQUENCE_BITS;
    }

    /** A new id, greater than every id this generator returned before (even if the clock steps back). */
    public synchronized long next() {
        long now = Math.max(clock.millis(), lastMs);
        if (now == lastMs) {
            sequence = (sequence + 1) & SEQUENCE_MASK;
            if (sequence == 0) {
                now = lastMs + 1; // 4096 ids in one ms: borrow from the next ms rather than spin
            }
        } else {
            sequence = 0;
        }
        lastMs = now;
        return ((now - EPOCH_MS) << (NODE_BITS + SEQUENCE_BITS)) | nodeBits | sequence;
    }

    /** The epoch ms at which an id was made. */
    public static long timestampOf(long id) {
        return (id >>> (NODE_BITS + SEQUENCE_BITS)) + EPOCH_MS;
    }
}
