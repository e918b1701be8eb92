package dev.parley.messaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/** Checks that the listener calls of one conversation come in seq order (1, 2, 3 ...) and never overlap. */
public final class AppendOrderCheck {
    private final Map<Long, Long> lastSeq = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> active = new ConcurrentHashMap<>();
    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());

    /** Records one listener call for a new (not duplicate) message. */
    public void enter(StoredMessage m) {
        AtomicInteger inside = active.computeIfAbsent(m.conversationId(), k -> new AtomicInteger());
        if (inside.incrementAndGet() != 1) {
            problems.add("conversation " + m.conversationId() + ": concurrent listener calls at seq " + m.seq());
        }
        try {
            Long previous = lastSeq.put(m.conversationId(), m.seq());
            long expected = previous == null ? 1 : previous + 1;
            if (m.seq() != expected) {
                problems.add("conversation " + m.conversationId() + ": listener called for seq " + m.seq()
                    + " (expected: " + expected + ")");
            }
            Thread.onSpinWait(); // widen the window in which an overlapping call would be seen
        } finally {
            inside.decrementAndGet();
        }
    }

    /** Fails if any call came out of order or overlapped another. */
    public void assertClean() {
        assertThat(problems).isEmpty();
    }
}
