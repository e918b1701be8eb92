package dev.parley.cluster;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts the messages a node relays back into {@code seq} order per conversation, and drops repeats. The next seq
 * of a conversation is relayed at once; a seq at or below the last relayed one is a duplicate and dropped; a seq
 * that comes early waits until its predecessors arrive, or, after {@code gapWait}, until they are read from the
 * store (they were stored before the later seq was given out). The first message of a conversation this node has
 * not seen (or has forgotten: at most {@code maxConversations} are remembered) starts its sequence.
 *
 * @param <T> what is relayed (a frame and its recipients)
 */
final class RelaySequencer<T> {
    private static final Logger log = LoggerFactory.getLogger(RelaySequencer.class);

    /** Writes an item whose turn it is; called under the conversation's lock, in seq order; must not block. */
    interface Relay<T> {
        void relay(long conversationId, long seq, T item);
    }

    /** Reads up to {@code count} stored items after {@code afterSeq} (may block; throws when the store fails). */
    interface GapReader<T> {
        Map<Long, T> read(long conversationId, long afterSeq, int count);
    }

    private final Relay<T> relay;
    private final GapReader<T> gapReader;
    private final Duration gapWait;
    private final ScheduledExecutorService timers;
    private final Executor blocking;
    private final Cache<Long, State<T>> states;
    private final AtomicLong duplicates = new AtomicLong();
    private final AtomicLong gapReads = new AtomicLong();

    RelaySequencer(Relay<T> relay, GapReader<T> gapReader, Duration gapWait, int maxConversations,
                   ScheduledExecutorService timers, Executor blocking) {
        this.relay = relay;
        this.gapReader = gapReader;
        this.gapWait = gapWait;
        this.timers = timers;
        this.blocking = blocking;
        this.states = Caffeine.newBuilder().maximumSize(maxConversations)
            .expireAfterAccess(Duration.ofMinutes(10)).build();
    }

    /** The last seq relayed in one conversation, and what came early. Guarded by itself. */
    private static final class State<T> {
        long last = -1; // unknown until the first item
        final TreeMap<Long, T> early = new TreeMap<>();
        boolean gapCheckScheduled;
    }

    void offer(long conversationId, long seq, T item) {
        State<T> s = states.get(conversationId, k -> new State<>());
        synchronized (s) {
            if (s.last < 0) {
                s.last = seq - 1;
            }
            if (seq <= s.last || s.early.containsKey(seq)) {
                duplicates.incrementAndGet();
                return;
            }
            if (seq > s.last + 1) {
                s.early.put(seq, item);
                scheduleGapCheck(conversationId, s);
                return;
            }
            relay.relay(conversationId, seq, item);
            s.last = seq;
            drain(conversationId, s);
        }
    }

    /** Items dropped as repeats or as older than what was relayed. */
    long duplicates() {
        return duplicates.get();
    }

    /** Items that came from the store because the bus had not brought them in time. */
    long gapReads() {
        return gapReads.get();
    }

    private void scheduleGapCheck(long conversationId, State<T> s) {
        if (!s.gapCheckScheduled) {
            s.gapCheckScheduled = true;
            timers.schedule(() -> blocking.execute(() -> fillGap(conversationId, s)), gapWait.toMillis(),
                TimeUnit.MILLISECONDS);
        }
    }

    private void drain(long conversationId, State<T> s) {
        while (!s.early.isEmpty() && s.early.firstKey() == s.last + 1) {
            long next = s.early.firstKey();
            relay.relay(conversationId, next, s.early.remove(next));
            s.last = next;
        }
    }

    /** Reads what is missing before the earliest waiting item, then relays everything that is in order. */
    private void fillGap(long conversationId, State<T> s) {
        long from;
        long to;
        synchronized (s) {
            s.gapCheckScheduled = false;
            if (s.early.isEmpty()) {
                return;
            }
            from = s.last;
            to = s.early.firstKey();
        }
        Map<Long, T> missing;
        try {
            missing = gapReader.read(conversationId, from, (int) Math.min(to - from - 1, 1_000));
        } catch (RuntimeException e) {
            log.warn("conversation {}: reading seqs {}..{} to fill a relay gap failed; will retry", conversationId,
                from + 1, to - 1, e);
            synchronized (s) {
                scheduleGapCheck(conversationId, s);
            }
            return;
        }
        synchronized (s) {
            missing.forEach((seq, item) -> {
                if (seq > s.last && !s.early.containsKey(seq)) {
                    s.early.put(seq, item);
                    gapReads.incrementAndGet();
                }
            });
            if (!s.early.isEmpty() && s.early.firstKey() > s.last + 1) {
                // The store has nothing there either (a hole beyond a page, or never stored): move on.
                s.last = s.early.firstKey() - 1;
            }
            drain(conversationId, s);
            if (!s.early.isEmpty()) {
                scheduleGapCheck(conversationId, s);
            }
        }
    }
}
