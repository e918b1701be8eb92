package dev.parley.messaging.sqlite;

/** What the store knows of one conversation's last seq. */
final class SeqSlot {
    /** The highest seq handed out, committed or not. Only the writer thread touches it. */
    long assigned;
    /** The highest seq that is durable and readable; any thread may read it. */
    volatile long committed;

    SeqSlot(long lastSeq) {
        this.assigned = lastSeq;
        this.committed = lastSeq;
    }
}
